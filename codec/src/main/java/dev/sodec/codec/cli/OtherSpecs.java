package dev.sodec.codec.cli;

import java.util.List;

/** The specs of commands that parse their own arguments ({@code bench}): for help and the command list. */
final class OtherSpecs {
    private OtherSpecs() {}

    static final CommandSpec BENCH = new CommandSpec("bench", "", "latency per stage, bpp and peak memory of a model"
            + " or a random-weight model of SD 2.1 size (bench/README.md)", List.of(
            Option.valued("--model", "FILE", "time this model file (compression-only or full SODEC)"),
            Option.valued("--random", "sd21|tiny", "time a random-weight model of this size (default sd21)"),
            Option.valued("--random-config", "C.json", "time a random-weight model of this config"),
            Option.valued("--image", "I", "the image to code (default: a synthetic one of --size)"),
            Option.valued("--size", "WxH", "size of the synthetic image (default 256x256)"),
            CommonOptions.BACKEND,
            CommonOptions.THREADS,
            Option.valued("--warmup", "N", "untimed runs first (default 1)"),
            Option.valued("--runs", "N", "timed runs (default 3)"),
            Option.valued("--seed", "S", "seed of the random weights (default 1)"),
            Option.flag("--json", "print one JSON object instead of a table"),
            Option.flag("--profile", "add the time per stage and backend op (on stderr)")), "");
}
