package dev.sodec.codec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The container and Kubernetes files cannot be run here (no Docker daemon, no cluster), so what can drift is
 * checked: every option they pass to {@code sodec serve} is one it takes, the probes hit its health routes, and
 * the ports agree.
 */
class DeployFilesTest {
    static final Path DEPLOY = Path.of("../deploy");

    @Test
    void dockerfileStartsServeWithOptionsItTakes() throws Exception {
        String docker = Files.readString(DEPLOY.resolve("Dockerfile"));
        Matcher m = Pattern.compile("ENTRYPOINT \\[(.*?)]", Pattern.DOTALL).matcher(docker);
        assertTrue(m.find(), "an ENTRYPOINT");
        List<String> args = quoted(m.group(1));
        int main = args.indexOf("dev.sodec.codec.cli.Main");
        assertTrue(main > 0 && args.get(main + 1).equals("serve"), args.toString());
        assertOptionsKnown(args.subList(main + 2, args.size()));
        assertEquals("8080", args.get(args.indexOf("--port") + 1));
        assertTrue(docker.contains("EXPOSE 8080"));
    }

    @Test
    void kubernetesProbesAndArgsMatchTheServer() throws Exception {
        String k8s = Files.readString(DEPLOY.resolve("k8s/sodec-serve.yaml"));
        Matcher args = Pattern.compile("(?m)^\\s+args: \\[(.*)]$").matcher(k8s);
        assertTrue(args.find(), "container args");
        assertOptionsKnown(quoted(args.group(1)));
        assertTrue(k8s.contains("readinessProbe:\n            httpGet: {path: /readyz"), "readiness on /readyz");
        assertTrue(k8s.contains("livenessProbe:\n            httpGet: {path: /healthz"), "liveness on /healthz");
        assertTrue(k8s.contains("containerPort: 8080") && k8s.contains("prometheus.io/path: /metrics"));
        assertTrue(k8s.contains("kind: Deployment") && k8s.contains("kind: Service"));
    }

    private static List<String> quoted(String s) {
        List<String> out = new ArrayList<>();
        Matcher q = Pattern.compile("\"([^\"]*)\"").matcher(s);
        while (q.find()) out.add(q.group(1));
        return out;
    }

    private static void assertOptionsKnown(List<String> args) {
        Set<String> valued = ServeCommand.SPEC.valued();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            assertTrue(valued.contains(a), "sodec serve takes no option " + a);
            i++; // its value
        }
    }
}
