package io.plugboard.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed Prometheus text exposition (format 0.0.4, also the OpenMetrics text format): the
 * {@code # TYPE} and {@code # HELP} lines and the samples with their labels.
 */
final class Exposition {

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, String value) {
    }

    /** Suffixes a sample of a counter, histogram or summary family carries after the family name. */
    static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total", "_created");

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> help = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    private Exposition() {
    }

    static Exposition parse(String text) {
        Exposition e = new Exposition();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.equals("# EOF")) {
                continue;
            }
            if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
                String rest = line.substring(7);
                int space = rest.indexOf(' ');
                String name = space < 0 ? rest : rest.substring(0, space);
                String value = space < 0 ? "" : rest.substring(space + 1).strip();
                (line.startsWith("# TYPE ") ? e.types : e.help).put(name, value);
            } else if (!line.startsWith("#")) {
                e.samples.add(sample(line));
            }
        }
        return e;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq).strip();
                int j = eq + 2; // past ="
                StringBuilder value = new StringBuilder();
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String rest = line.substring(i).strip();
        int space = rest.indexOf(' ');
        return new Sample(name, labels, space < 0 ? rest : rest.substring(0, space));
    }

    /** The declared type of a family, whether the TYPE line names it with or without _total. */
    String type(String family) {
        String t = types.get(family);
        if (t == null && family.endsWith("_total")) {
            t = types.get(family.substring(0, family.length() - "_total".length()));
        }
        return t;
    }

    /** Whether the scrape declares this family or holds a sample of it. */
    boolean hasFamily(String family) {
        if (type(family) != null) {
            return true;
        }
        return samples.stream().anyMatch(s -> s.name().equals(family)
                || SUFFIXES.stream().anyMatch(suffix -> s.name().equals(family + suffix)));
    }

    /** Samples named exactly so. */
    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The names of every family declared with a TYPE line that starts with this prefix. */
    Set<String> familiesStartingWith(String prefix) {
        return types.keySet().stream().filter(n -> n.startsWith(prefix))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
}
