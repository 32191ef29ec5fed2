#!/usr/bin/env python3
"""Measures the crate's errors against exact (mpmath, 50 digits) values, and the golden file's own.

  cargo test -p optionchain-pricing --test golden -- --nocapture 2>/dev/null | grep ^DUMP \
    | python3 primitives/pricing/tools/check_against_mpmath.py ../shared/golden/black_scholes.json
"""
import sys, json, mpmath as mp
mp.mp.dps=50
d=json.load(open(sys.argv[1]))
cases={c['id']:c for c in d['cases']}
def bs(c):
    i=c['inputs_fixed']; S,K,T,v,r,q=[mp.mpf(int(i[k]))/10**18 for k in ['spot','strike','t_years','vol','rate','q']]
    sst=v*mp.sqrt(T); d1=(mp.log(S/K)+(r-q+v*v/2)*T)/sst; d2=d1-sst
    N=mp.ncdf; n=mp.npdf; Dq=mp.exp(-q*T); Dr=mp.exp(-r*T)
    return dict(d1=d1,d2=d2,call=S*Dq*N(d1)-K*Dr*N(d2), put=K*Dr*N(-d2)-S*Dq*N(-d1), delta_call=Dq*N(d1), delta_put=-Dq*N(-d1),
      gamma=Dq*n(d1)/(S*sst), vega=S*Dq*n(d1)*mp.sqrt(T), theta_call=-S*Dq*n(d1)*v/(2*mp.sqrt(T))-r*K*Dr*N(d2)+q*S*Dq*N(d1),
      theta_put=-S*Dq*n(d1)*v/(2*mp.sqrt(T))+r*K*Dr*N(-d2)-q*S*Dq*N(-d1), rho_call=K*T*Dr*N(d2), rho_put=-K*T*Dr*N(-d2))
worst={}; gworst={}
cache={}
for line in sys.stdin:
    p=line.split()
    if p[1]=='case':
        cid,name,val=p[2],p[3],int(p[4])
        if cid not in cache: cache[cid]=bs(cases[cid])
        t=cache[cid][name]; e=abs(mp.mpf(val)/10**18-t)*10**18
        ge=abs(mp.mpf(int(cases[cid]['outputs_fixed'][name]))/10**18-t)
        if e>worst.get(name,(0,))[0]: worst[name]=(e,cid)
        rel = ge/max(abs(t), mp.mpf(1e-300))
        if ge>gworst.get(name,(0,))[0]: gworst[name]=(ge,cid,rel)
    elif p[1]=='ncdf':
        x=mp.mpf(int(p[2]))/10**18
        for nm,val,f in [('ncdf',int(p[3]),mp.ncdf),('npdf',int(p[4]),mp.npdf)]:
            e=abs(val-f(x)*10**18)
            if e>worst.get(nm,(0,))[0]: worst[nm]=(e,str(x))
    else:
        nm=p[1]; x=mp.mpf(int(p[2]))/10**18; val=int(p[3]); f={'exp':mp.exp,'ln':mp.log,'sqrt':mp.sqrt}[nm]
        e=abs(val-f(x)*10**18)
        if e>worst.get(nm,(0,))[0]: worst[nm]=(e,str(x))
print("our max error vs exact (units of 1e-18):")
for k,v in worst.items(): print(' ',k, mp.nstr(v[0],4), v[1])
print("golden max error vs exact (abs, rel):")
for k,v in gworst.items(): print(' ',k, mp.nstr(v[0],4), mp.nstr(v[2],3), v[1])
