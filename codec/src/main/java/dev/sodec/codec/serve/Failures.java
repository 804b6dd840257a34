package dev.sodec.codec.serve;

import dev.sodec.codec.container.ContainerException;
import dev.sodec.codec.image.ImageFormatException;
import dev.sodec.codec.image.ImageTooLargeException;
import dev.sodec.codec.io.IoMessages;
import java.io.IOException;

/**
 * What a failed request is answered: the status its exception stands for and a one-line message, never a stack
 * trace, and no file path (IoMessages.reason). Bad input is the client's (4xx); anything else is ours (500, "internal error: ...").
 */
final class Failures {
    private Failures() {}

    static HttpError toHttp(Throwable e) {
        return switch (e) {
            case HttpError h -> h;
            case ImageTooLargeException t -> new HttpError(413, t.getMessage());
            case ImageFormatException f -> new HttpError(422, f.getMessage());
            case ContainerException c -> new HttpError(422, c.getMessage());
            case IOException io -> new HttpError(422, "unreadable body: " + IoMessages.reason(io));
            case OutOfMemoryError oom -> new HttpError(503, "out of memory: retry later or send a smaller image", java.util.Map.of("Retry-After", "5"));
            default -> new HttpError(500, "internal error: " + IoMessages.reason(e));
        };
    }
}
