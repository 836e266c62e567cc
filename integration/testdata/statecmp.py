import json,re,sys
def load(p, key):
    s=open(p).read()
    s=re.sub(r'/tmp/TestState\w+/\d+/out','/tmp/stcmp/out',s)
    d=json.loads(s)[key]
    return d
def norm(v):
    if isinstance(v,dict):
        return {k:norm(x) for k,x in v.items() if k not in ('start_time','duration','pid')}
    return v
pairs=[('s1-test.json','TestStateApplySite-0.json'),('s2-apply.json','TestStateApplySite-1.json'),('s3-again.json','TestStateApplySite-2.json'),('s4-changed.json','TestStateApplySite-3.json'),('s5-broken.json','TestStateApplyFailure-4.json')]
for s,o in pairs:
    a=norm(load(s,'local')); b=norm(load('ours/'+o,'m1'))
    print('==',s)
    if list(a)!=list(b): print(' tag order/keys differ', list(a), list(b))
    for t in a:
        if t not in b: print(' missing',t); continue
        x,y=a[t],b[t]
        if list(x)!=list(y): print(' key order',t.split('_|-')[1],list(x),list(y))
        for k in x:
            if x.get(k)!=y.get(k): print(' field',t.split('_|-')[1],k,'salt=',json.dumps(x.get(k)),'ours=',json.dumps(y.get(k)))
