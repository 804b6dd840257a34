package dev.sodec.engine.io;

import java.io.IOException;

/** A safetensors file that cannot be used; the message starts with the file name and names the problem. */
public final class SafeTensorsException extends IOException {
    public SafeTensorsException(String message) {
        super(OneLine.of(message)); // untrusted input quoted in it stays one line
    }
}
