package dev.sodec.codec.cli;

import dev.sodec.codec.models.ModelFinder;
import dev.sodec.codec.models.QualityLadder;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code sodec models list}: the quality levels; {@code sodec models add FILE [--name N]}: a CompressAI checkpoint
 * converted into the model folder and put on the ladder ({@link ModelAdder}, which needs the weights-converter jar
 * and is loaded only then).
 */
final class ModelsCommand {
    private ModelsCommand() {}

    static final Option NAME = Option.valued("--name", "N", "add: the model's name for --model (default: from a CompressAI"
            + " zoo file name, mbt2018-mean-3-*.pth.tar -> mbt2018-mean-3, else the file's name)");

    static final CommandSpec SPEC = new CommandSpec("models", "list | add FILE", "the quality levels (list); a CompressAI"
            + " checkpoint converted onto them (add)", List.of(NAME), """
            list: the levels --quality, --target-bpp and --target-size choose from, lowest rate first: the shipped
            models and those added to the model folder ($SODEC_MODEL_DIR, default ./models), ordered by their bits per
            pixel on the reference photo (chelsea.png, 451x300, in the jar).
            add: converts a CompressAI checkpoint (mbt2018-mean or bmshj2018-hyperprior, e.g. the zoo's
            mbt2018-mean-3-<hash>.pth.tar, or a train.py checkpoint) into the model folder as NAME.safetensors,
            measures its rate on the reference photo and lists it in the folder's index.json, so --model NAME and the
            quality levels see it. Nothing is downloaded.""");

    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = SPEC.parse(argv);
        List<String> pos = a.positional();
        if (pos.isEmpty()) throw new UsageException("say list or add FILE; " + SPEC.usage());
        switch (pos.get(0)) {
            case "list" -> {
                if (pos.size() != 1 || a.get(NAME.name(), null) != null) throw new UsageException("list takes no arguments; " + SPEC.usage());
                QualityLadder ladder = QualityLadder.installed();
                out.print(ladder.table());
                out.println("(model folder: " + ModelFinder.modelDir().toAbsolutePath() + ")");
                return 0;
            }
            case "add" -> {
                if (pos.size() != 2) throw new UsageException("add takes one checkpoint file; " + SPEC.usage());
                return ModelAdder.add(pos.get(1), a.get(NAME.name(), null), out);
            }
            default -> throw new UsageException("unknown models action '" + pos.get(0) + "' (list, add); " + SPEC.usage());
        }
    }
}
