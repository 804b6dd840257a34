package dev.sodec.codec.cli;

import dev.sodec.codec.io.InputFiles;
import dev.sodec.codec.io.OutputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each input of a coding command goes: {@code -o OUT} for one input ({@code -} = standard output), or
 * {@code --outdir DIR} for any number, each named after its input with a new extension. Checked before any work
 * starts: both or neither given, several inputs with {@code -o}, two inputs that would write the same file.
 */
record Outputs(Map<String, String> byInput, boolean toStdout) {
    static Outputs resolve(Args a, CommandSpec spec, String extension) throws UsageException, IOException {
        List<String> inputs = a.positional();
        String o = a.get("-o", null), dir = a.get("--outdir", null);
        if (inputs.isEmpty()) throw new UsageException("no input given; " + spec.usage());
        if (o != null && dir != null) throw new UsageException("give -o OUT or --outdir DIR, not both");
        if (o == null && dir == null) throw new UsageException("give -o OUT or --outdir DIR; " + spec.usage());
        if (inputs.stream().filter(InputFiles.STDIO::equals).count() > 1) throw new UsageException("stdin (-) given twice");
        Map<String, String> map = new LinkedHashMap<>();
        if (o != null) {
            if (inputs.size() != 1) {
                throw new UsageException("-o takes one input, " + inputs.size() + " given: use --outdir DIR for several");
            }
            if (!InputFiles.STDIO.equals(o)) OutputFiles.checkWritable(Path.of(o));
            map.put(inputs.get(0), o);
            return new Outputs(map, InputFiles.STDIO.equals(o));
        }
        if (inputs.contains(InputFiles.STDIO)) throw new UsageException("stdin (-) has no name to use in --outdir: use -o OUT");
        Path d = Path.of(dir);
        if (Files.exists(d) && !Files.isDirectory(d)) throw new IOException("--outdir " + dir + " is a file, not a folder");
        Files.createDirectories(d);
        Map<String, String> seen = new HashMap<>();
        for (String in : inputs) {
            String out = d.resolve(stem(in) + "." + extension).toString();
            String before = seen.put(out, in);
            if (before != null) throw new UsageException(before + " and " + in + " would both write " + out);
            map.put(in, out);
        }
        return new Outputs(map, false);
    }

    /** The input's file name without its last extension. */
    static String stem(String input) {
        Path name = Path.of(input).getFileName();
        String n = name == null ? input : name.toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    String of(String input) {
        return byInput.get(input);
    }
}
