/*
 * The top frames of a JFR recording: where the sampled threads were (self), and which methods were
 * on their stacks (inclusive), counting Java and native samples alike, leaving out threads waiting
 * in native calls (epoll, accept, park) for work.
 *
 *   java bench/JfrTop.java recording.jfr [rows]
 */
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

public class JfrTop {

    /** Native frames where a thread waits for work rather than spends CPU: left out. */
    static final Set<String> IDLE = Set.of(
            "io.grpc.netty.shaded.io.netty.channel.epoll.Native.epollWait0",
            "io.grpc.netty.shaded.io.netty.channel.epoll.Native.epollWait",
            "sun.nio.ch.EPoll.wait", "sun.nio.ch.Net.accept", "sun.nio.ch.Net.poll",
            "jdk.internal.misc.Unsafe.park", "java.lang.Object.wait0", "java.lang.Thread.sleep0",
            "sun.nio.ch.SocketDispatcher.read0");

    public static void main(String[] args) throws Exception {
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            if (e.getStackTrace() == null || e.getStackTrace().getFrames().isEmpty()
                    || IDLE.contains(name(e.getStackTrace().getFrames().get(0)))) {
                continue;
            }
            total++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
            }
        }
        System.out.println("samples: " + total);
        print("self", self, total, rows);
        print("inclusive (io.plugboard, Tomcat, gRPC, Jackson, ONNX Runtime)", filter(inclusive), total, rows);
    }

    static Map<String, Integer> filter(Map<String, Integer> all) {
        Map<String, Integer> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("io.plugboard.") || k.startsWith("org.apache.coyote") || k.startsWith("io.grpc.")
                    || k.startsWith("tools.jackson.") || k.startsWith("ai.onnxruntime.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    static void print(String title, Map<String, Integer> counts, int total, int rows) {
        System.out.println("| " + title + " | share |");
        System.out.println("|---|---|");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(rows)
                .forEach(e -> System.out.printf("| `%s` | %.1f%% |%n", e.getKey(), 100.0 * e.getValue() / total));
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
