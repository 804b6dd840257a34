package dev.sodec.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A strict reader of the bytes a server wrote back: a sequence of HTTP/1.1 responses, each a status line, headers,
 * a blank line and exactly Content-Length body bytes (1xx interim answers have none). Anything else is not
 * well-formed and fails with an AssertionError (a finding).
 */
final class HttpResponses {
    private HttpResponses() {}

    /** A response: status, headers by lower-case name (a repeated one fails), body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static List<Response> parse(byte[] wire) {
        List<Response> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < wire.length) {
            String statusLine = line(wire, pos);
            if (!statusLine.matches("HTTP/1\\.1 [1-5][0-9][0-9] [\\x20-\\x7e]*")) throw new AssertionError("bad status line: " + statusLine);
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h; !(h = line(wire, pos)).isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon <= 0 || !h.substring(0, colon).matches("[A-Za-z0-9-]+")) throw new AssertionError("bad header line: " + h);
                String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
                if (headers.put(name, h.substring(colon + 1).trim()) != null) throw new AssertionError("header twice: " + name);
            }
            int length = 0;
            if (status >= 200) {
                String cl = headers.get("content-length");
                if (cl == null || !cl.matches("[0-9]{1,9}")) throw new AssertionError("status " + status + " without a valid Content-Length: " + cl);
                length = Integer.parseInt(cl);
            }
            if (length > wire.length - pos[0]) throw new AssertionError("body shorter than its Content-Length " + length);
            byte[] body = java.util.Arrays.copyOfRange(wire, pos[0], pos[0] + length);
            pos[0] += length;
            out.add(new Response(status, headers, body));
        }
        return out;
    }

    /** The next CRLF-terminated line of printable ASCII (a header value may hold any byte but CR, LF and NUL). */
    private static String line(byte[] wire, int[] pos) {
        for (int i = pos[0]; i + 1 < wire.length; i++) {
            if (wire[i] == '\r' && wire[i + 1] == '\n') {
                String s = new String(wire, pos[0], i - pos[0], StandardCharsets.ISO_8859_1);
                if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0) throw new AssertionError("bare CR, LF or NUL in: " + s);
                pos[0] = i + 2;
                return s;
            }
        }
        throw new AssertionError("response head not terminated by CRLF at byte " + pos[0]);
    }
}
