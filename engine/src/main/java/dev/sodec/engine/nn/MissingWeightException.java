package dev.sodec.engine.nn;

/** A weight file that does not fit the model: a key missing, unused or of the wrong shape. */
public final class MissingWeightException extends RuntimeException {
    public MissingWeightException(String message) {
        super(message);
    }
}
