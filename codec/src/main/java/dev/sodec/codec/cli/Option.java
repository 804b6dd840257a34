package dev.sodec.codec.cli;

/**
 * One command-line option.
 *
 * @param name the option as typed ({@code --model}, {@code -o})
 * @param value the placeholder of its value in help ({@code M}); null for a flag
 * @param help one line on what it does and its default
 */
record Option(String name, String value, String help) {
    static Option valued(String name, String value, String help) {
        return new Option(name, value, help);
    }

    static Option flag(String name, String help) {
        return new Option(name, null, help);
    }

    boolean takesValue() {
        return value != null;
    }

    /** {@code --model M} or {@code --stats}. */
    String synopsis() {
        return value == null ? name : name + " " + value;
    }
}
