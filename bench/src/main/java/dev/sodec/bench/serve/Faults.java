package dev.sodec.bench.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The misbehaving clients of the fault run, on raw sockets: garbage bodies, truncated uploads, slow senders and
 * disconnects. Each counts its outcome; a slow sender's good request must still get the right answer.
 */
final class Faults {
    private Faults() {}

    static void one(URI base, LoadGen.Case c, SplittableRandom rnd, Consumer<String> count, BiConsumer<LoadGen.Case, byte[]> check) {
        int kind = rnd.nextInt(4);
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            switch (kind) {
                case 0 -> { // garbage: random bytes as an image or a stream
                    byte[] junk = new byte[16 + rnd.nextInt(4000)];
                    rnd.nextBytes(junk);
                    out.write(request(c.path(), junk, null));
                    out.flush();
                    int status = status(s.getInputStream());
                    count.accept(status >= 400 && status < 500 ? "fault garbage -> 4xx" : "fault garbage -> UNEXPECTED " + status);
                }
                case 1 -> { // truncated upload: the body stops halfway and the client leaves
                    byte[] req = request(c.path(), c.body(), c.accept());
                    out.write(Arrays.copyOf(req, req.length - c.body().length / 2));
                    out.flush();
                    count.accept("fault truncated upload");
                }
                case 2 -> { // slow client: a good request in small pieces with pauses
                    byte[] req = request(c.path(), c.body(), c.accept());
                    int pieces = 8;
                    for (int i = 0; i < pieces; i++) {
                        out.write(req, i * req.length / pieces, (i + 1) * req.length / pieces - i * req.length / pieces);
                        out.flush();
                        Thread.sleep(40);
                    }
                    InputStream in = s.getInputStream();
                    byte[] answer = in.readAllBytes();
                    int status = statusOf(answer);
                    count.accept(status == 200 ? "fault slow client -> 200" : "fault slow client -> UNEXPECTED " + status);
                    if (status == 200) check.accept(c, body(answer));
                }
                default -> { // disconnect: the whole request, then gone before the answer
                    out.write(request(c.path(), c.body(), c.accept()));
                    out.flush();
                    count.accept("fault disconnect");
                }
            }
        } catch (IOException | InterruptedException e) {
            count.accept("fault io " + e.getClass().getSimpleName());
        }
    }

    static byte[] request(String path, byte[] body, String accept) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (accept == null ? "" : "Accept: " + accept + "\r\n") + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    private static int status(InputStream in) throws IOException {
        return statusOf(in.readAllBytes());
    }

    private static int statusOf(byte[] answer) {
        String head = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.US_ASCII);
        return head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : -1;
    }

    /** The body of a Connection: close answer (after the blank line). */
    private static byte[] body(byte[] answer) {
        for (int i = 0; i + 3 < answer.length; i++) {
            if (answer[i] == '\r' && answer[i + 1] == '\n' && answer[i + 2] == '\r' && answer[i + 3] == '\n') {
                return Arrays.copyOfRange(answer, i + 4, answer.length);
            }
        }
        return new byte[0];
    }
}
