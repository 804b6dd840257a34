import json, struct, numpy as np
def load(p):
    f=open(p,'rb'); n=struct.unpack('<Q',f.read(8))[0]; h=json.loads(f.read(n)); base=8+n
    data=open(p,'rb').read()
    out={}
    for k,v in h.items():
        if k=='__metadata__': continue
        dt={'F32':np.float32,'I32':np.int32,'U8':np.uint8}[v['dtype']]
        b,e=v['data_offsets']
        out[k]=np.frombuffer(data[base+b:base+e],dtype=dt).reshape(v['shape'])
    return out
def save(p, tensors):
    hdr={}; off=0; blobs=[]
    for k,a in tensors.items():
        a=np.ascontiguousarray(a.astype(np.float32)); b=a.tobytes()
        hdr[k]={'dtype':'F32','shape':list(a.shape),'data_offsets':[off,off+len(b)]}; off+=len(b); blobs.append(b)
    h=json.dumps(hdr).encode(); h+=b' '*((8-len(h)%8)%8)
    open(p,'wb').write(struct.pack('<Q',len(h))+h+b''.join(blobs))
