package dev.sodec.codec.cli;

import java.util.List;

/** The specs of commands that parse their own arguments ({@code bench}, {@code convert}): for help and the command list. */
final class OtherSpecs {
    private OtherSpecs() {}

    static final CommandSpec BENCH = new CommandSpec("bench", "", "latency per stage, bpp and peak memory of a model"
            + " or a random-weight model of SD 2.1 size (bench/README.md)", List.of(
            Option.valued("--model", "FILE", "time this model file (compression-only or full SODEC)"),
            Option.valued("--random", "sd21|tiny|onedc|onedc-tiny", "time a random-weight model of this size (default sd21)"),
            Option.valued("--random-config", "C.json", "time a random-weight model of this config"),
            Option.valued("--image", "I", "the image to code (default: a synthetic one of --size)"),
            Option.valued("--size", "WxH", "size of the synthetic image (default 256x256)"),
            CommonOptions.BACKEND,
            CommonOptions.THREADS,
            Option.valued("--warmup", "N", "untimed runs first (default 1)"),
            Option.valued("--runs", "N", "timed runs (default 3)"),
            Option.valued("--seed", "S", "seed of the random weights (default 1)"),
            Option.flag("--json", "print one JSON object instead of a table"),
            Option.flag("--profile", "add the time per op type of the timed runs: count, time, share (on stderr)")), "");

    /** The convert command's spec, kept here so the command list does not load the converter. */
    static final CommandSpec CONVERT = new CommandSpec("convert", "INPUT -o OUT", "public checkpoints (torch, diffusers,"
            + " LDM, LoRA, CompressAI) to engine weights; --part assembles a SODEC model (weights-converter/README.md)", List.of(
            Option.valued("-o", "OUT", "the engine safetensors file to write"),
            Option.valued("--out", "OUT", "same as -o"),
            Option.valued("--kind", "K", "auto (default), unet, vae, vae-decoder, clip-vision, compressai"),
            Option.valued("--lora", "FILE", "merge a LoRA (peft or kohya naming) into the UNet; repeatable"),
            Option.valued("--lora-scale", "S", "LoRA scale (default 1.0)"),
            Option.valued("--dtype", "F32|F16|BF16", "storage type of the output (default F32)"),
            Option.valued("--ldm-config", "YAML|JSON", "the LDM config of a single-file checkpoint (v2-inference.yaml)"),
            Option.flag("--build-entropy-tables", "compute CompressAI entropy tables a checkpoint saved before update() lacks"),
            Option.valued("--part", "PREFIX=FILE", "assemble a SODEC model: compression=, unet=, vae=, vit=, other prefixes raw"),
            Option.valued("--config", "EXTRA.json", "extra config merged into an assembled SODEC model's config")),
            "forms:\n" + ConvertCommand.USAGE.replace("usage: ", "  "));
}
