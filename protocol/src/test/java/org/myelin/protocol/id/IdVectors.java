package org.myelin.protocol.id;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Reads the identifier fixtures in {@code spec-vectors/ids-*.json}: each file names its spec
 * section and holds lists of cases, each case with an {@code input} and a {@code source}.
 */
final class IdVectors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IdVectors() {}

    /** The cases of one list of a fixture file, each named by its (escaped) input. */
    static Stream<Arguments> cases(String file, String list) {
        JsonNode cases = load(file).get(list);
        if (cases == null || !cases.isArray() || cases.isEmpty()) {
            throw new IllegalStateException(file + " has no cases in '" + list + "'");
        }
        return StreamSupport.stream(cases.spliterator(), false)
                .map(node -> Arguments.of(Named.of(printable(node.get("input").asText()), node)));
    }

    static String text(JsonNode testCase, String field) {
        return testCase.get(field).asText();
    }

    static Optional<String> optionalText(JsonNode testCase, String field) {
        JsonNode value = testCase.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static JsonNode load(String file) {
        String resource = "/spec-vectors/" + file;
        try (InputStream in = IdVectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Test names stay readable in reports: control and non-ASCII characters escaped. */
    private static String printable(String input) {
        StringBuilder out = new StringBuilder();
        input.chars().forEach(c -> {
            if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.isEmpty() ? "(empty)" : out.toString();
    }
}
