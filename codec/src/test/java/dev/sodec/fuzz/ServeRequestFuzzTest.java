package dev.sodec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sodec.codec.models.BundledModels;
import dev.sodec.codec.serve.InProcessServer;
import dev.sodec.engine.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The service's request parsing: raw bytes (request line, headers, query, Accept, Authorization, Content-Length or
 * chunked bodies, image and .sdc bodies, several requests in a row) arrive on one connection of {@code sodec serve}'s
 * real pipeline ({@link InProcessServer}: the shipped {@code low} model, a 64 KiB body limit, 64x64 pixels, a
 * bearer token). Checked: no exception leaves the pipeline; what comes back is well-formed HTTP/1.1; every request
 * decoded while the connection is open gets exactly one answer, in order, plus at most one closing 408/413/417 for a
 * request cut off, too large or with an unknown expectation;
 * every status is one the README lists (500, an internal error, is a finding); error bodies are one-line JSON
 * {@code {"error":...,"status":N}} with the response's status; no answer names the model's file path; no /v1
 * request is answered 200 without the right token; after a {@code Connection: close} answer nothing follows and the
 * connection is closed.
 */
public class ServeRequestFuzzTest {
    static final long MAX_PIXELS = 64 * 64;
    static final int MAX_BODY = 64 << 10;
    /** The README's statuses, less 500 (bad input must never be an internal error) plus 100 Continue (interim). */
    static final Set<Integer> STATUSES = Set.of(100, 200, 400, 401, 404, 405, 406, 408, 413, 417, 422, 503, 504);

    private static InProcessServer server;
    private static String modelDir;

    static synchronized InProcessServer server() throws Exception {
        if (server == null) {
            modelDir = BundledModels.byName("low").orElseThrow().toAbsolutePath().getParent().toString();
            server = InProcessServer.start(MAX_PIXELS, MAX_BODY);
        }
        return server;
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        serveAndCheck(data);
    }

    /** Serves {@code data} on one connection, checks the invariants, returns the answers (the seeds' test looks at them). */
    static List<HttpResponses.Response> serveAndCheck(byte[] data) throws Exception {
        InProcessServer.Result r = server().serve(data);
        List<HttpResponses.Response> answers = HttpResponses.parse(r.wire());
        String input = new String(data, StandardCharsets.ISO_8859_1);
        List<InProcessServer.Seen> open = r.requests().stream().filter(InProcessServer.Seen::whileOpen).toList();
        Outcomes.check(open.equals(r.requests().subList(0, open.size())), "a request decoded after the close, then one before");
        int served = 0;
        boolean ended = false;
        for (int i = 0; i < answers.size(); i++) {
            HttpResponses.Response a = answers.get(i);
            Outcomes.check(!ended, "an answer after one that closed the connection");
            Outcomes.check(STATUSES.contains(a.status()), "status " + a.status() + ": " + a.text());
            if (a.status() == 100) continue;
            Outcomes.check(input.contains(modelDir) || !a.text().contains(modelDir), "an answer names the model's folder: " + a.text());
            if (served < open.size()) {
                InProcessServer.Seen req = open.get(served++);
                if (a.status() == 503 && req.uri().equals("/readyz")) {
                    checkJson(a, "not ready", m -> m.size() >= 1 && m.get("status") instanceof String);
                } else if (a.status() >= 400) {
                    checkError(a);
                }
                if (a.status() == 200 && req.uri().startsWith("/v1")) {
                    Outcomes.check(req.authorization().stream().anyMatch(ServeRequestFuzzTest::rightToken),
                            "/v1 answered 200 without the token: " + req);
                }
            } else {
                checkError(a);
                // the connection's last request, answered before it was whole (408), its body too large (413) or its
                // Expect header not understood (417)
                Outcomes.check(a.status() == 408 || a.status() == 413 || a.status() == 417, "an answer (" + a.status() + ") to no decoded request");
                Outcomes.check("close".equalsIgnoreCase(a.headers().get("connection")), "a cut-off request's answer keeps the connection");
            }
            ended = "close".equalsIgnoreCase(a.headers().get("connection"));
        }
        Outcomes.check(served == open.size(), open.size() + " requests decoded, " + served + " answered");
        Outcomes.check(!ended || r.closed(), "the connection stayed open after Connection: close");
        return answers;
    }

    private static boolean rightToken(String authorization) {
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7) && authorization.substring(7).trim().equals(InProcessServer.TOKEN);
    }

    private static void checkError(HttpResponses.Response a) {
        checkJson(a, "error body not {\"error\":...,\"status\":" + a.status() + "}", m -> m.size() == 2
                && m.get("error") instanceof String s && !s.isBlank() && m.get("status") instanceof Number n && n.intValue() == a.status());
    }

    /** A one-line JSON object body that {@code shape} accepts. */
    private static void checkJson(HttpResponses.Response a, String what, Predicate<Map<?, ?>> shape) {
        String ct = a.headers().get("content-type");
        Outcomes.check("application/json".equals(ct), "status " + a.status() + " with content type " + ct + ": " + a.text());
        String text = a.text();
        Outcomes.check(text.indexOf('\n') < 0 && text.indexOf('\r') < 0, "a multi-line JSON body: " + text);
        Outcomes.check(Json.parse(text) instanceof Map<?, ?> m && shape.test(m), what + ": " + text);
    }

    @FuzzTest
    void request(byte[] data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
