package dev.sodec.codec.serve;

import dev.sodec.engine.memory.ProcessMemory;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's metrics, exposed on {@code /metrics} in Prometheus text format: requests by route and status with
 * a latency histogram, a latency histogram per stage, the queue (requests admitted, decodes waiting for a batch),
 * batch sizes, and memory (process RSS, which holds the CPU backend's arenas and the mapped weights; JVM heap).
 */
final class ServeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchSizes;

    ServeMetrics(Supplier<Number> admitted, Supplier<Number> batchWaiting) {
        Gauge.builder("sodec_queue_admitted", admitted).description("requests admitted: running or waiting").register(registry);
        Gauge.builder("sodec_queue_batch_waiting", batchWaiting).description("decodes waiting to be batched").register(registry);
        batchSizes = DistributionSummary.builder("sodec_batch_size").description("decodes per network call")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        Gauge.builder("sodec_memory_rss_bytes", ProcessMemory::rssBytes)
                .description("process resident memory: weights touched, backend arenas, heap").register(registry);
        Gauge.builder("sodec_memory_heap_used_bytes", () -> mem.getHeapMemoryUsage().getUsed()).register(registry);
        Gauge.builder("sodec_memory_nonheap_used_bytes", () -> mem.getNonHeapMemoryUsage().getUsed()).register(registry);
    }

    /** A request answered: its route (a known path or "other"), status and time from arrival to the answer. */
    void request(String route, int status, long nanos) {
        Timer.builder("sodec_http_requests").description("requests by route and status")
                .tags("route", route, "status", Integer.toString(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Time of one stage: read_image, compress, prepare (parse + entropy decode), batch_wait, network, encode_image. */
    void stage(String stage, long nanos) {
        Timer.builder("sodec_stage").description("time per stage").tags("stage", stage)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void batchSize(int n) {
        batchSizes.record(n);
    }

    String scrape() {
        return registry.scrape();
    }
}
