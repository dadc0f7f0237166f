package org.myelin.server.media.preview;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * The Open Graph data of an HTML page (<a href="https://ogp.me/">ogp.me</a>), as a URL preview
 * answers it (client-server API, {@code GET /_matrix/client/v1/media/preview_url}), read as
 * Synapse reads it: the {@code og:}, {@code article:} and {@code profile:} meta tags, then
 * Twitter's cards where they say more; failing those, the title from {@code <title>} or the
 * first heading, the image from microdata, the largest image, any image or the icon, and the
 * description from the meta description or the page's first paragraphs. Values are strings
 * (or null for a title or description not found); {@code og:image} may be relative to the page.
 */
final class OpenGraph {

    /** More tags of one prefix than this and the page is taken to be abusing them: none is kept. */
    private static final int MAX_TAGS = 50;
    private static final Set<String> TWITTER_ONLY = Set.of("twitter:card", "twitter:creator", "twitter:site");
    /** Where text is not the page's own prose. */
    private static final Set<String> NOT_PROSE = Set.of("head", "header", "nav", "aside", "footer", "script",
            "noscript", "style", "svg", "iframe", "video", "canvas", "img", "picture");
    private static final Set<String> NOT_DISPLAYED_ROLES = Set.of("directory", "menu", "menubar", "toolbar");
    /** The most elements waiting to be walked for the description: bounds memory on deep pages. */
    private static final int WALK_LIMIT = 1024;
    private static final int SUMMARY_MIN = 200;
    private static final int SUMMARY_MAX = 500;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern WORD = Pattern.compile("\\s*\\S+");

    private OpenGraph() {}

    /**
     * The Open Graph data of {@code html}, decoded as {@code charset} says (null: as the page's
     * byte order mark or meta tag says, else UTF-8); empty if it holds no document.
     */
    static Map<String, String> of(byte[] html, String charset, String baseUri) throws IOException {
        if (html.length == 0) {
            return new LinkedHashMap<>();
        }
        Document doc = Jsoup.parse(new ByteArrayInputStream(html), charset, baseUri);
        Map<String, String> og = new LinkedHashMap<>();
        og.putAll(metaTags(doc, "property", "og:"));
        og.putAll(metaTags(doc, "property", "article:"));
        og.putAll(metaTags(doc, "property", "profile:"));
        metaTags(doc, "name", "twitter:").forEach((key, value) -> {
            if (!TWITTER_ONLY.contains(key)) {
                og.putIfAbsent("og:" + key.substring("twitter:".length()), value);
            }
        });
        if (!og.containsKey("og:title")) {
            og.put("og:title", title(doc).orElse(null));
        }
        if (!og.containsKey("og:image")) {
            image(doc).ifPresent(src -> og.put("og:image", src));
        }
        if (!og.containsKey("og:description")) {
            og.put("og:description", metaDescription(doc).orElseGet(() -> summary(prose(doc)).orElse(null)));
        } else if (og.get("og:description") != null && !og.get("og:description").isEmpty()) {
            og.put("og:description", summary(List.of(og.get("og:description"))).orElse(null));
        }
        return og;
    }

    /** The {@code attribute}-named meta tags starting with {@code prefix} that have content; none past {@link #MAX_TAGS}. */
    private static Map<String, String> metaTags(Document doc, String attribute, String prefix) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element meta : doc.getElementsByTag("meta")) {
            String key = meta.attr(attribute);
            String content = meta.attr("content");
            if (!key.startsWith(prefix) || content.isEmpty()) {
                continue;
            }
            if (tags.size() >= MAX_TAGS) {
                return Map.of();
            }
            tags.put(key, content);
        }
        return tags;
    }

    /** The text of the first {@code <title>}, {@code <h1>}, {@code <h2>} or {@code <h3>} that has some. */
    private static Optional<String> title(Document doc) {
        for (Element element : doc.select("title, h1, h2, h3")) {
            String text = element.text().strip();
            if (!text.isEmpty()) {
                return Optional.of(text);
            }
        }
        return Optional.empty();
    }

    /** Microdata's image; else the largest image over 10 by 10 pixels; else the first image; else the icon. */
    private static Optional<String> image(Document doc) {
        for (Element meta : doc.getElementsByTag("meta")) {
            if (meta.attr("itemprop").toLowerCase(Locale.ROOT).contains("image") && !meta.attr("content").isEmpty()) {
                return Optional.of(meta.attr("content"));
            }
        }
        List<Element> sized = new ArrayList<>();
        for (Element img : doc.getElementsByTag("img")) {
            if (!img.attr("src").isEmpty() && dimension(img, "width") > 10 && dimension(img, "height") > 10) {
                sized.add(img);
            }
        }
        Optional<Element> largest = sized.stream()
                .max(Comparator.comparingDouble(img -> dimension(img, "width") * dimension(img, "height")));
        if (largest.isPresent()) {
            return Optional.of(largest.get().attr("src"));
        }
        for (Element img : doc.getElementsByTag("img")) {
            if (!img.attr("src").isEmpty()) {
                return Optional.of(img.attr("src"));
            }
        }
        for (Element link : doc.getElementsByTag("link")) {
            List<String> rel = List.of(WHITESPACE.split(link.attr("rel").toLowerCase(Locale.ROOT)));
            if (rel.contains("icon") && !link.attr("href").isEmpty()) {
                return Optional.of(link.attr("href"));
            }
        }
        return Optional.empty();
    }

    private static double dimension(Element img, String name) {
        try {
            double value = Double.parseDouble(img.attr(name).strip());
            return Double.isFinite(value) ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<String> metaDescription(Document doc) {
        for (Element meta : doc.getElementsByTag("meta")) {
            if (meta.attr("name").toLowerCase(Locale.ROOT).contains("description") && !meta.attr("content").isEmpty()) {
                return Optional.of(meta.attr("content"));
            }
        }
        return Optional.empty();
    }

    /** The page's text nodes in order, outside what is not its prose, each with its whitespace runs as line breaks. */
    private static List<String> prose(Document doc) {
        List<String> paragraphs = new ArrayList<>();
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(doc);
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            if (node instanceof TextNode text) {
                String paragraph = WHITESPACE.matcher(text.getWholeText()).replaceAll("\n").strip();
                if (!paragraph.isEmpty()) {
                    paragraphs.add(paragraph);
                }
            } else if (node instanceof Element element) {
                if (NOT_PROSE.contains(element.normalName())
                        || NOT_DISPLAYED_ROLES.contains(element.attr("role"))) {
                    continue;
                }
                List<Node> children = element.childNodes();
                for (int i = children.size() - 1; i >= 0 && pending.size() <= WALK_LIMIT; i--) {
                    pending.push(children.get(i));
                }
            }
        }
        return paragraphs;
    }

    /**
     * A summary of {@code paragraphs}: whole paragraphs until {@link #SUMMARY_MIN} characters, then
     * cut at a word boundary before {@link #SUMMARY_MAX} with an ellipsis; empty if there is no text.
     */
    static Optional<String> summary(List<String> paragraphs) {
        StringBuilder text = new StringBuilder();
        for (String paragraph : paragraphs) {
            if (text.length() >= SUMMARY_MIN) {
                break;
            }
            text.append(paragraph.replaceAll("[\\t \\r\\n]+", " ")).append("\n\n");
        }
        String description = text.toString().strip()
                .replaceAll("[\\t ]+", " ")
                .replaceAll("[\\t \\r\\n]*[\\r\\n]+", "\n\n");
        if (description.length() > SUMMARY_MAX) {
            StringBuilder cut = new StringBuilder();
            Matcher words = WORD.matcher(description);
            while (words.find()) {
                String word = words.group();
                if (word.length() + cut.length() < SUMMARY_MAX) {
                    cut.append(word);
                } else {
                    if (cut.length() < SUMMARY_MIN) {
                        cut.append(word);
                    }
                    break;
                }
            }
            String shortened = cut.length() > SUMMARY_MAX ? cut.substring(0, SUMMARY_MAX) : cut.toString();
            description = shortened.strip() + "…";
        }
        return description.isEmpty() ? Optional.empty() : Optional.of(description);
    }
}
