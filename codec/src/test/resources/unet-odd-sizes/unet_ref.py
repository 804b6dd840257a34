# Usage: python3 unet_ref.py CASE_DIR  (checks against the golden eps)
#        python3 unet_ref.py CASE_DIR H W SEED OUT.safetensors  (writes a fixture for another input size)
# Independent float64 numpy reference of diffusers UNet2DConditionModel (SD-style config), written from the
# diffusers semantics to check the Java engine on input sizes the golden cases do not cover.
import json, sys, numpy as np
from st import load, save
from math import erf
W=None
def g(k): return W[k].astype(np.float64)
def conv(x,k,stride=1,pad=None):
    w=g(k+'.weight'); b=g(k+'.bias') if k+'.bias' in W else None
    co,ci,kh,kw=w.shape
    if pad is None: pad=(kh-1)//2
    B,C,H,Wd=x.shape
    xp=np.pad(x,((0,0),(0,0),(pad,pad),(pad,pad)))
    oh=(H+2*pad-kh)//stride+1; ow=(Wd+2*pad-kw)//stride+1
    out=np.zeros((B,co,oh,ow))
    for i in range(kh):
        for j in range(kw):
            patch=xp[:,:,i:i+stride*oh:stride, j:j+stride*ow:stride]
            out+=np.einsum('bchw,oc->bohw',patch,w[:,:,i,j])
    if b is not None: out+=b[None,:,None,None]
    return out
def gn(x,k,groups,eps):
    B,C=x.shape[:2]; xs=x.reshape(B,groups,-1)
    m=xs.mean(-1,keepdims=True); v=xs.var(-1,keepdims=True)
    y=((xs-m)/np.sqrt(v+eps)).reshape(x.shape)
    sh=(1,C)+(1,)*(x.ndim-2)
    return y*g(k+'.weight').reshape(sh)+g(k+'.bias').reshape(sh)
def ln(x,k,eps=1e-5):
    m=x.mean(-1,keepdims=True); v=x.var(-1,keepdims=True)
    return (x-m)/np.sqrt(v+eps)*g(k+'.weight')+g(k+'.bias')
def lin(x,k):
    y=x@g(k+'.weight').T
    if k+'.bias' in W: y=y+g(k+'.bias')
    return y
silu=lambda x: x/(1+np.exp(-x))
gelu=np.vectorize(lambda v: 0.5*v*(1+erf(v/np.sqrt(2))))
def attn(x,ctx,k,heads):
    q=lin(x,k+'.to_q'); kk=lin(ctx,k+'.to_k'); v=lin(ctx,k+'.to_v')
    B,T,C=q.shape; dh=C//heads; out=np.zeros((B,T,C))
    for h in range(heads):
        s=q[:,:,h*dh:(h+1)*dh]@kk[:,:,h*dh:(h+1)*dh].transpose(0,2,1)*dh**-0.5
        s=np.exp(s-s.max(-1,keepdims=True)); s/=s.sum(-1,keepdims=True)
        out[:,:,h*dh:(h+1)*dh]=s@v[:,:,h*dh:(h+1)*dh]
    return lin(out,k+'.to_out.0')
def transformer(x,ctx,k,heads,cfg):
    B,C,H,Wd=x.shape; r=x
    h=gn(x,k+'.norm',cfg['norm_num_groups'],1e-6)
    if cfg['use_linear_projection']:
        t=lin(h.reshape(B,C,H*Wd).transpose(0,2,1),k+'.proj_in')
    else:
        t=conv(h,k+'.proj_in',pad=0).reshape(B,-1,H*Wd).transpose(0,2,1)
    i=0
    while k+'.transformer_blocks.%d.norm1.weight'%i in W:
        bk=k+'.transformer_blocks.%d'%i
        t=attn(ln(t,bk+'.norm1'),ln(t,bk+'.norm1'),bk+'.attn1',heads)+t
        t=attn(ln(t,bk+'.norm2'),ctx,bk+'.attn2',heads)+t
        p=lin(ln(t,bk+'.norm3'),bk+'.ff.net.0.proj'); hh,gate=np.split(p,2,-1)
        t=lin(hh*gelu(gate),bk+'.ff.net.2')+t
        i+=1
    if cfg['use_linear_projection']:
        h=lin(t,k+'.proj_out').transpose(0,2,1).reshape(B,C,H,Wd)
    else:
        h=conv(t.transpose(0,2,1).reshape(B,-1,H,Wd),k+'.proj_out',pad=0)
    return h+r
def resnet(x,temb,k,cfg):
    G=cfg['norm_num_groups']; eps=1e-5
    h=conv(silu(gn(x,k+'.norm1',G,eps)),k+'.conv1')
    h=h+lin(silu(temb),k+'.time_emb_proj')[:,:,None,None]
    h=conv(silu(gn(h,k+'.norm2',G,eps)),k+'.conv2')
    sc=conv(x,k+'.conv_shortcut',pad=0) if k+'.conv_shortcut.weight' in W else x
    return sc+h
def nearest(x,oh,ow):
    H,Wd=x.shape[2:]
    iy=[min(int(np.floor(np.float32(d)*(np.float32(H)/np.float32(oh)))),H-1) for d in range(oh)]
    ix=[min(int(np.floor(np.float32(d)*(np.float32(Wd)/np.float32(ow)))),Wd-1) for d in range(ow)]
    return x[:,:,iy][:,:,:,ix]
def unet(sample,t,ctx,cfg):
    boc=cfg['block_out_channels']; n=len(boc); ahd=cfg['attention_head_dim']
    heads=ahd if isinstance(ahd,list) else [ahd]*n
    half=boc[0]//2
    freq=np.exp(np.float32(-np.log(10000))*np.arange(half,dtype=np.float32)/np.float32(half)).astype(np.float32)
    arg=(np.float32(t)*freq).astype(np.float32)
    temb=np.concatenate([np.cos(arg),np.sin(arg)])[None,:].astype(np.float64).repeat(sample.shape[0],0)
    emb=lin(silu(lin(temb,'time_embedding.linear_1')),'time_embedding.linear_2')
    h=conv(sample,'conv_in'); skips=[h]
    L=cfg['layers_per_block']
    for i in range(n):
        for j in range(L):
            h=resnet(h,emb,'down_blocks.%d.resnets.%d'%(i,j),cfg)
            if cfg['down_block_types'][i].startswith('CrossAttn'): h=transformer(h,ctx,'down_blocks.%d.attentions.%d'%(i,j),heads[i],cfg)
            skips.append(h)
        if i<n-1:
            h=conv(h,'down_blocks.%d.downsamplers.0.conv'%i,stride=2,pad=1); skips.append(h)
    h=resnet(h,emb,'mid_block.resnets.0',cfg); h=transformer(h,ctx,'mid_block.attentions.0',heads[-1],cfg); h=resnet(h,emb,'mid_block.resnets.1',cfg)
    for i in range(n):
        lvl=n-1-i
        for j in range(L+1):
            s=skips.pop(); h=np.concatenate([h,s],1)
            h=resnet(h,emb,'up_blocks.%d.resnets.%d'%(i,j),cfg)
            if cfg['up_block_types'][i].startswith('CrossAttn'): h=transformer(h,ctx,'up_blocks.%d.attentions.%d'%(i,j),heads[lvl],cfg)
        if i<n-1:
            oh,ow=skips[-1].shape[2:]
            h=conv(nearest(h,oh,ow),'up_blocks.%d.upsamplers.0.conv'%i)
    h=silu(gn(h,'conv_norm_out',cfg['norm_num_groups'],1e-5))
    return conv(h,'conv_out')
if __name__=='__main__':
    case=sys.argv[1]
    c=json.load(open(case+'/case.json')); W=load(case+'/weights.safetensors'); io=load(case+'/io.safetensors')
    cfg=c['config']
    if len(sys.argv)==2:
        y=unet(io['in.sample'].astype(np.float64),c['call']['timestep'],io['in.encoder_hidden_states'].astype(np.float64),cfg)
        e=io['out.eps']; print('golden check rel_l2',np.linalg.norm(y-e)/np.linalg.norm(e),'max_abs',abs(y-e).max())
    else:
        H,Wd=int(sys.argv[2]),int(sys.argv[3]); rng=np.random.default_rng(int(sys.argv[4]))
        x=rng.standard_normal((1,4,H,Wd)).astype(np.float32); ctx=io['in.encoder_hidden_states']
        y=unet(x.astype(np.float64),c['call']['timestep'],ctx.astype(np.float64),cfg)
        save(sys.argv[5],{'in.sample':x,'in.encoder_hidden_states':ctx,'out.eps':y.astype(np.float32)})
        print('saved',y.shape, 'rms',np.sqrt((y**2).mean()))
