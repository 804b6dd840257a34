"""Writes the committed seed inputs of the weight-file fuzz targets that Python's own writers make best:
LDM YAML configs, torch.save-layout zip and legacy files, and their pickles. torch itself is not needed: the pickles
reference torch's rebuild functions and storage classes through stand-in modules, byte for byte as torch.save
writes them (protocol 2, persistent ids ('storage', <class>, key, 'cpu', numel)).

Run from the repository root: python3 codec/src/test/fuzz-seeds/make_python_seeds.py ../shared
"""
import collections, io, json, os, pickle, struct, sys, types, zipfile

shared = sys.argv[1] if len(sys.argv) > 1 else '../shared'
res = 'codec/src/test/resources/dev/sodec/fuzz'

def out(cls, method, name, data):
    d = os.path.join(res, cls + 'Inputs', method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# ---- stand-ins for torch's pickled globals ----
torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils')
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils; torch._utils = utils
def _rebuild_tensor_v2(*a): pass
utils._rebuild_tensor_v2 = _rebuild_tensor_v2; _rebuild_tensor_v2.__module__ = 'torch._utils'
class FloatStorage: pass
class LongStorage: pass
class HalfStorage: pass
for c in (FloatStorage, LongStorage, HalfStorage):
    c.__module__ = 'torch'; setattr(torch, c.__name__, c)

class Storage:
    def __init__(self, cls, key, values, fmt):
        self.cls, self.key, self.values, self.fmt = cls, key, values, fmt
    def raw(self):
        return b''.join(struct.pack('<' + self.fmt, v) for v in self.values)

class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))

def dumps(obj):
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = lambda o: ('storage', o.cls, o.key, 'cpu', len(o.values)) if isinstance(o, Storage) else None
    p.dump(obj)
    return buf.getvalue()

s0 = Storage(FloatStorage, '0', [0.5 * i for i in range(12)], 'f')
s1 = Storage(LongStorage, '1', [3, -1, 7], 'q')
s2 = Storage(HalfStorage, '2', [1.0, 2.0, -0.5, 0.25], 'e')
state = collections.OrderedDict([
    ('conv.weight', Tensor(s0, 0, [2, 3, 1, 1], [3, 1, 1, 1])),
    ('conv.bias', Tensor(s0, 6, [2], [1])),
    ('view.t', Tensor(s0, 1, [3, 2], [1, 3])),        # a transposed (strided) view
    ('entropy._offset', Tensor(s1, 0, [3], [1])),
    ('half', Tensor(s2, 0, [2, 2], [2, 1])),
])
storages = [s0, s1, s2]

def torch_zip(state, storages, wrap=None):
    obj = {wrap: state} if wrap else state
    b = io.BytesIO()
    def put(z, name, data):  # fixed timestamps: the same seeds on every run
        z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        put(z, 'archive/data.pkl', dumps(obj))
        put(z, 'archive/byteorder', 'little')
        for s in storages:
            put(z, 'archive/data/' + s.key, s.raw())
        put(z, 'archive/version', '3\n')
    return b.getvalue()

def torch_legacy(state, storages):
    b = io.BytesIO()
    pickle.dump(0x1950a86a20f9469cfc6c, b, protocol=2)
    pickle.dump(1001, b, protocol=2)
    pickle.dump({'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, b, protocol=2)
    b.write(dumps(state))
    pickle.dump([s.key for s in storages], b, protocol=2)
    for s in storages:
        b.write(struct.pack('<q', len(s.values)))
        b.write(s.raw())
    return b.getvalue()

out('TorchFileFuzzTest', 'torchFile', 'state_dict.pth', torch_zip(state, storages))
out('TorchFileFuzzTest', 'torchFile', 'train_checkpoint.pth.tar', torch_zip(state, storages, wrap='state_dict'))
out('TorchFileFuzzTest', 'torchFile', 'legacy.pth', torch_legacy(state, storages))
# regression: a 686-byte file whose stride-0 view claims 10^13 elements (the copy was sized from it: OutOfMemoryError)
out('TorchFileFuzzTest', 'torchFile', 'expanded_view_10e13.pth',
    torch_zip(collections.OrderedDict([('w', Tensor(s0, 0, [100000, 100000, 1000], [0, 0, 0]))]), [s0]))
out('TorchFileFuzzTest', 'torchFile', 'unsafe_pickle.pth', open(os.path.join(shared, 'checkpoints/broken/unsafe_pickle.pth'), 'rb').read())
out('TorchPickleFuzzTest', 'pickle', 'state_dict.pkl', dumps(state))
out('TorchPickleFuzzTest', 'pickle', 'wrapped.pkl', dumps({'epoch': 3, 'state_dict': state, 'set': {1, 2}, 'b': b'\x00\xff', 'f': 1.5, 'big': 1 << 70}))
out('TorchPickleFuzzTest', 'pickle', 'protocol0.pkl', pickle.dumps({'a': [1, 2.5, 'x', None, True]}, protocol=0))
with zipfile.ZipFile(os.path.join(shared, 'checkpoints/broken/unsafe_pickle.pth')) as z:
    out('TorchPickleFuzzTest', 'pickle', 'unsafe.pkl', z.read([n for n in z.namelist() if n.endswith('data.pkl')][0]))

# ---- LDM YAML: the tiny checkpoint case's original config, in the LDM inference yaml layout ----
case = json.load(open(os.path.join(shared, 'checkpoints/checkpoint.ldm.sd.ckpt/case.json')))
def find(o, key):
    if isinstance(o, dict):
        if key in o: return o[key]
        for v in o.values():
            r = find(v, key)
            if r is not None: return r
    return None
ldm = find(case, 'ldm_original_config')
def yaml(o, ind=0):
    lines = []
    for k, v in o.items():
        if isinstance(v, dict):
            lines.append(' ' * ind + f'{k}:'); lines += yaml(v, ind + 2)
        elif isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
            lines.append(' ' * ind + f'{k}:')
            lines += [' ' * ind + '- ' + json.dumps(x) for x in v]
        elif isinstance(v, list):
            lines.append(' ' * ind + f'{k}: [ ' + ', '.join(json.dumps(x) for x in v) + ' ]')
        elif isinstance(v, bool):
            lines.append(' ' * ind + f'{k}: {"True" if v else "False"}')
        elif v is None:
            lines.append(' ' * ind + f'{k}: ~')
        elif isinstance(v, str):
            lines.append(' ' * ind + f"{k}: '{v}'" if ':' in v or '#' in v else ' ' * ind + f'{k}: {v}')
        else:
            lines.append(' ' * ind + f'{k}: {v}  # a comment')
    return lines
out('LdmYamlFuzzTest', 'yaml', 'tiny-inference.yaml', '\n'.join(yaml(ldm)) + '\n')
out('LdmYamlFuzzTest', 'yaml', 'sequences.yaml', 'a:\n  - 1\n  - -2.5e-3\n  -\n    - x\n    - "y # not a comment"\nb: [ 1, 2, 4 ]\n---\nc: null\n')

# ---- image path: a 1x1 PNG whose zTXt and iCCP chunks inflate to 16 MiB each (the reader must skip them) ----
import zlib as _z
def _chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', _z.crc32(t + d) & 0xffffffff)
_big = _z.compress(b'\0' * (16 << 20), 9)
out('ImageInputFuzzTest', 'image', 'text_and_icc_bombs.png', b'\x89PNG\r\n\x1a\n' + _chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
    + _chunk(b'zTXt', b'Comment\0\0' + _big) + _chunk(b'iCCP', b'icc\0\0' + _big) + _chunk(b'IDAT', _z.compress(b'\0\xff\x00\x00')) + _chunk(b'IEND', b''))
