package dev.sodec.convert.torch;

/**
 * An object of an inert bookkeeping class (Lightning callback state, numpy scalars) found outside the weights of a
 * training checkpoint: only its class name is kept; nothing is constructed or called. It is never a tensor, so a
 * state dict holding one is refused by name.
 */
public record PyOpaque(String className) {}
