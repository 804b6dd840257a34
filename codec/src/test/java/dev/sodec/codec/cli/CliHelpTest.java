package dev.sodec.codec.cli;

import static dev.sodec.codec.cli.CompressionCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sodec.codec.cli.CompressionCliTest.Result;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --help on every command lists every option it parses; help, --version and the overview. */
class CliHelpTest {
    @Test
    void everyCommandsHelpListsEveryOption() {
        for (Map.Entry<String, Main.Entry> e : Main.commands().entrySet()) {
            CommandSpec spec = e.getValue().spec();
            assertEquals(e.getKey(), spec.name());
            for (String how : new String[] {"--help", "-h"}) {
                Result r = run(e.getKey(), how);
                assertEquals(0, r.code(), e.getKey() + " " + how + ": " + r.err());
                assertTrue(r.out().startsWith("usage: sodec " + e.getKey()), r.out());
                for (Option o : spec.options()) {
                    assertTrue(r.out().contains("  " + o.synopsis() + " "), e.getKey() + " help lacks " + o.synopsis() + ":\n" + r.out());
                }
                assertTrue(r.out().contains("-h, --help") && r.out().contains("exit status"), r.out());
            }
            Result viaHelp = run("help", e.getKey());
            assertEquals(0, viaHelp.code());
            assertEquals(run(e.getKey(), "--help").out(), viaHelp.out());
        }
    }

    /** The option sets the parser accepts are the ones the help lists (an option left out of a spec is refused). */
    @Test
    void helpCountsAsAnOptionOnlyWhereOneMayStand() {
        // "-o --help" gives --help as -o's value: not a help request, a usage of a file named --help
        Result r = run("compress", "a.png", "-o", "--help");
        assertFalse(r.out().startsWith("usage:"), r.out());
    }

    @Test
    void usageLinesShowOptionalPartsInBrackets() {
        String u = CompressCommand.SPEC.usage();
        assertTrue(u.startsWith("usage: sodec compress IN... (-o OUT.sdc | --outdir DIR) [--model M] [--quality N] [--target-bpp X]"
                + " [--target-size BYTES] [--background C] [-j N]"), u);
        assertFalse(u.contains("[-o"), u);
        assertTrue(DecompressCommand.SPEC.usage().contains("[--model M]"), DecompressCommand.SPEC.usage());
        assertTrue(OtherSpecs.BENCH.usage().contains("[--json]"), OtherSpecs.BENCH.usage());
    }

    @Test
    void versionAndOverview() {
        for (String v : new String[] {"--version", "-V", "version"}) {
            Result r = run(v);
            assertEquals(0, r.code());
            assertTrue(r.out().matches("sodec \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .*\\)\\R"), r.out());
        }
        Result help = run("--help");
        assertEquals(0, help.code());
        for (String c : Main.commands().keySet()) assertTrue(help.out().contains("  " + c + " "), "overview lacks " + c);
        assertTrue(help.out().contains("SODEC_MODEL_DIR") && help.out().contains("exit status"), help.out());
        Result none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("usage: sodec COMMAND"), none.err());
        Result unknownTopic = run("help", "nope");
        assertEquals(2, unknownTopic.code());
    }
}
