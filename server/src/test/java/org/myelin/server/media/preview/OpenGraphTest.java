package org.myelin.server.media.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Open Graph data read from pages, as Synapse reads it, and URLs blocked as Synapse blocks them. */
class OpenGraphTest {

    private static Map<String, String> og(String html) throws IOException {
        return OpenGraph.of(html.getBytes(StandardCharsets.UTF_8), null, "https://example.org/page");
    }

    @Test
    void twitterCardsFillInWhatOpenGraphLeavesOut() throws IOException {
        Map<String, String> og = og("""
                <meta property="og:title" content="From OG">
                <meta name="twitter:title" content="From Twitter">
                <meta name="twitter:description" content="Described by Twitter">
                <meta name="twitter:image" content="https://example.org/t.png">
                <meta name="twitter:card" content="summary"><meta name="twitter:site" content="@example">""");
        assertEquals("From OG", og.get("og:title"));
        assertEquals("Described by Twitter", og.get("og:description"));
        assertEquals("https://example.org/t.png", og.get("og:image"));
        assertFalse(og.containsKey("og:card") || og.containsKey("og:site"), og.toString());
    }

    @Test
    void tooManyTagsOfOnePrefixAreAllLeftOut() throws IOException {
        StringBuilder page = new StringBuilder("<title>Spam</title>");
        for (int i = 0; i < 51; i++) {
            page.append("<meta property=\"og:k").append(i).append("\" content=\"v\">");
        }
        Map<String, String> og = og(page.toString());
        assertEquals("Spam", og.get("og:title"));
        assertFalse(og.containsKey("og:k0"));
    }

    @Test
    void theLargestImageIsTakenThenTheFirstThenTheIcon() throws IOException {
        assertEquals("big.png", og("""
                <img src="tiny.png" width="5" height="5"><img src="mid.png" width="100" height="100">
                <img src="big.png" width="300" height="200">""").get("og:image"));
        assertEquals("first.png", og("<img src=\"first.png\"><img src=\"second.png\">").get("og:image"));
        assertEquals("/favicon.ico", og("<link rel=\"shortcut icon\" href=\"/favicon.ico\">").get("og:image"));
        assertEquals("micro.jpg", og("<meta itemprop=\"image\" content=\"micro.jpg\"><img src=\"a.png\">")
                .get("og:image"));
    }

    @Test
    void noTitleAndNoTextLeaveNulls() throws IOException {
        Map<String, String> og = og("<html><body><script>x()</script></body></html>");
        assertTrue(og.containsKey("og:title") && og.containsKey("og:description"));
        assertNull(og.get("og:title"));
        assertNull(og.get("og:description"));
    }

    @Test
    void longTextIsCutAtAWordWithAnEllipsis() {
        String words = "word ".repeat(200);
        String summary = OpenGraph.summary(List.of(words)).orElseThrow();
        assertTrue(summary.length() <= 501, summary.length() + "");
        assertTrue(summary.endsWith("word…"), summary);
        assertEquals("One.\n\nTwo.", OpenGraph.summary(List.of("One.", "Two.")).orElseThrow());
    }

    @Test
    void blocklistEntriesMatchEveryPartTheyName() {
        UrlBlocklist blocklist = new UrlBlocklist(List.of(
                Map.of("netloc", "*.example.com"),
                Map.of("hostname", "example.org", "path", "^/private/"),
                Map.of("scheme", "http", "port", "8080")));
        assertTrue(blocklist.blocks(URI.create("https://www.example.com/a")));
        assertFalse(blocklist.blocks(URI.create("https://example.com/a")));
        assertTrue(blocklist.blocks(URI.create("https://example.org/private/x")));
        assertFalse(blocklist.blocks(URI.create("https://example.org/public/private/")), "a regex matches at the start");
        assertTrue(blocklist.blocks(URI.create("http://anything:8080/")));
        assertFalse(blocklist.blocks(URI.create("http://anything/")), "no port matches no port pattern");
    }
}
