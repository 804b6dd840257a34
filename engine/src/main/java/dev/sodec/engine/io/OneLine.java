package dev.sodec.engine.io;

/**
 * Makes an error message that quotes untrusted input (a tensor name, a pickle argument, a JSON key) print as one
 * readable line: control and other invisible characters become escapes ({@code \n}, {@code \u0000}), and a message
 * longer than {@link #MAX_CHARS} keeps its head and tail around a marker. Exceptions for bad input pass their
 * message through it, so no file can make an error span lines or fill a terminal.
 */
public final class OneLine {
    public static final int MAX_CHARS = 1000;
    private static final int TAIL = 160;

    private OneLine() {}

    public static String of(String message) {
        if (message == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            String esc = escape(c);
            if (esc != null && b == null) b = new StringBuilder(message.length() + 16).append(message, 0, i);
            if (b != null) {
                if (esc != null) b.append(esc);
                else b.append(c);
            }
        }
        String s = b == null ? message : b.toString();
        if (s.length() <= MAX_CHARS) return s;
        int omitted = s.length() - (MAX_CHARS - TAIL) - TAIL;
        return s.substring(0, MAX_CHARS - TAIL) + " ...[" + omitted + " characters]... " + s.substring(s.length() - TAIL);
    }

    private static String escape(char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            default:
                // C0/C1 controls, DEL, the Unicode line/paragraph separators, and U+FFFD (a byte that was not UTF-8)
                if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029' || c == '\ufffd') {
                    return String.format("\\u%04x", (int) c);
                }
                return null;
        }
    }
}
