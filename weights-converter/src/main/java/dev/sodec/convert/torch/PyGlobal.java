package dev.sodec.convert.torch;

/** An allowed global (class or function) named by a GLOBAL / STACK_GLOBAL opcode; never resolved to code. */
public record PyGlobal(String module, String name) {
    public String qualified() { return module + "." + name; }
}
