package dev.sodec.convert.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.convert.CheckpointException;
import dev.sodec.engine.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TorchUnpicklerTest {
    private static Object load(byte[] p) throws CheckpointException {
        return new TorchUnpickler(MemorySegment.ofArray(p), "t.pth: data.pkl", new LinkedHashMap<>()).load();
    }

    @Test
    void protocol4ValuesAndMemo() throws Exception {
        PickleBytes p = new PickleBytes().proto(4).op(0x95, 0, 0, 0, 0, 0, 0, 0, 0); // FRAME (length ignored)
        p.op('}', 0x94); // EMPTY_DICT, MEMOIZE -> memo 0
        p.op('(');
        p.shortUnicode("f").binfloat(Double.POSITIVE_INFINITY);
        p.shortUnicode("t").binint1(1).op('N', 0x88, 0x87); // (1, None, True)
        p.shortUnicode("big").op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1); // 2^64
        p.shortUnicode("neg").op(0x8a, 1, 0xff); // -1
        p.shortUnicode("set").op(0x8f, '(').binint1(3).binint1(4).op(0x90);
        p.shortUnicode("self").op('h', 0); // BINGET 0: the dict itself (a cycle)
        p.op('u', '.');
        Map<?, ?> m = (Map<?, ?>) load(p.bytes());
        assertEquals(Double.POSITIVE_INFINITY, m.get("f"));
        assertEquals(new PyTuple(java.util.Arrays.asList(1L, null, true)), m.get("t"));
        assertEquals(java.math.BigInteger.ONE.shiftLeft(64), m.get("big"));
        assertEquals(-1L, m.get("neg"));
        assertEquals(Set.of(3L, 4L), m.get("set"));
        assertTrue(m.get("self") == m);
    }

    @Test
    void stackGlobalOutsideTheAllowListIsRefusedAtTheOpcode() {
        byte[] p = new PickleBytes().proto(4).shortUnicode("posix").shortUnicode("system").op(0x93)
                .shortUnicode("echo x").op(0x85, 'R', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class, () -> load(p));
        assertTrue(e.getMessage().startsWith("t.pth: data.pkl references global posix.system, which is not an allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("STACK_GLOBAL opcode at byte 17"), e.getMessage());
    }

    @Test
    void otherUnsafeConstructsAreRefused() {
        // builtins.eval / getattr are not allowed even though builtins.set is
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).global("builtins", "eval").op('.').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).global("builtins", "getattr").op('.').bytes()));
        // INST, OBJ, NEWOBJ, EXT
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op('(', 'i').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2)
                .global("collections", "OrderedDict").op(')', 0x81, '.').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op(0x82, 1, '.').bytes()));
        // calling a storage class, BUILD on a tensor
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).global("torch", "FloatStorage").op(')', 'R', '.').bytes()));
    }

    @Test
    void corruptPicklesFailCleanly() {
        // truncated, huge declared length, unknown memo index, unknown opcode, STOP with extra values
        assertTrue(assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op('}').bytes()))
                .getMessage().contains("truncated"));
        CheckpointException huge = assertThrows(CheckpointException.class,
                () -> load(new PickleBytes().proto(4).op('X', 0xff, 0xff, 0xff, 0x7f).bytes()));
        assertTrue(huge.getMessage().contains("2147483647 bytes"), huge.getMessage());
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op('h', 7, '.').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op(0xfe, '.').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op('N', 'N', '.').bytes()));
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).op('s', '.').bytes()));
    }

    @Test
    void tensorViewsAreCheckedAgainstTheirStorage() throws Exception {
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        PickleBytes ok = new PickleBytes().proto(2);
        ok.tensor(() -> ok.storage("HalfStorage", "0", 12), 2, new int[] {2, 5}, new int[] {1, 2}).op('.');
        TensorRef t = (TensorRef) new TorchUnpickler(MemorySegment.ofArray(ok.bytes()), "t", storages).load();
        assertEquals(DType.F16, t.storage().dtype());
        assertArrayEquals(new int[] {2, 5}, t.size());
        assertArrayEquals(new long[] {1, 2}, t.stride());
        assertEquals(2, t.storageOffset());
        // offset 2 + (2-1)*1 + (5-1)*2 = 11 is the last element of 12: one more is past the end
        PickleBytes bad = new PickleBytes().proto(2);
        bad.tensor(() -> bad.storage("FloatStorage", "0", 12), 3, new int[] {2, 5}, new int[] {1, 2}).op('.');
        CheckpointException e = assertThrows(CheckpointException.class, () -> load(bad.bytes()));
        assertTrue(e.getMessage().contains("12-element storage"), e.getMessage());
        PickleBytes odd = new PickleBytes().proto(2);
        odd.tensor(() -> odd.storage("ComplexFloatStorage", "0", 4), 0, new int[] {4}, new int[] {1}).op('.');
        assertTrue(assertThrows(CheckpointException.class, () -> load(odd.bytes())).getMessage().contains("ComplexFloatStorage"));
    }

    @Test
    void sharedStorageIsOneRef() throws Exception {
        Map<String, StorageRef> storages = new LinkedHashMap<>();
        PickleBytes p = new PickleBytes().proto(2).op(']', '(');
        p.tensor(() -> p.storage("FloatStorage", "k", 10), 0, new int[] {3}, new int[] {1});
        p.tensor(() -> p.storage("FloatStorage", "k", 10), 3, new int[] {7}, new int[] {1});
        p.op('e', '.');
        List<?> l = (List<?>) new TorchUnpickler(MemorySegment.ofArray(p.bytes()), "t", storages).load();
        assertTrue(((TensorRef) l.get(0)).storage() == ((TensorRef) l.get(1)).storage());
        assertEquals(1, storages.size());
        assertNull(storages.get("other"));
    }

    @Test
    void lightningCheckpointBookkeepingIsInertButNeverATensor() throws Exception {
        // {'state_dict': {'w': tensor}, 'callbacks': {'ModelCheckpoint': ModelCheckpoint.__new__() + BUILD(state)},
        //  'np': numpy.core.multiarray.scalar(dtype, bytes)}
        PickleBytes p = new PickleBytes().proto(2).op('}', '(');
        p.binunicode("state_dict").op('}').binunicode("w");
        p.tensor(() -> p.storage("FloatStorage", "0", 4), 0, new int[] {4}, new int[] {1});
        p.op('s');
        p.binunicode("callbacks").op('}').binunicode("ModelCheckpoint");
        p.global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").op(')', 0x81, '}');
        p.binunicode("best_model_path").binunicode("x").op('s', 'b', 's');
        p.binunicode("np").global("numpy.core.multiarray", "scalar").global("numpy", "dtype").binunicode("f8").op(0x85, 'R')
                .binunicode("abcdefgh").op(0x86, 'R');
        p.op('u', '.');
        Map<?, ?> top = (Map<?, ?>) load(p.bytes());
        assertTrue(((Map<?, ?>) top.get("state_dict")).get("w") instanceof TensorRef);
        assertEquals(new PyOpaque("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"),
                ((Map<?, ?>) top.get("callbacks")).get("ModelCheckpoint"));
        assertEquals(new PyOpaque("numpy.core.multiarray.scalar"), top.get("np"));
        // an inert class is still never callable as a function of something else, nor REDUCE'd into a tensor
        assertThrows(CheckpointException.class, () -> load(new PickleBytes().proto(2).global("numpy", "load").op('.').bytes()));
    }
}
