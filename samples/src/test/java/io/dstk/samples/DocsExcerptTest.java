package io.dstk.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs show quickstart code as excerpts, never as copies that can drift: a fenced {@code java} block that
 * follows a mention of a file under {@code samples/src/main/java} (within a few lines) must consist of lines of that
 * file, in the file's order. Lines are compared without indentation and without a trailing {@code //} comment, so an
 * excerpt may drop lines, re-indent and annotate; a line {@code ...} marks an omission.
 */
class DocsExcerptTest {
  private static final Pattern SOURCE = Pattern.compile("samples/src/main/java/[\\w/]+\\.java");
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** One fenced block of a doc and the sample it quotes. */
  record Excerpt(Path doc, int line, Path source, List<String> code) {}

  @Test
  void everyQuotedQuickstartBlockIsAnExcerptOfItsSource() throws IOException {
    List<Excerpt> excerpts = excerpts();
    assertThat(excerpts).as("excerpts found in docs/").hasSizeGreaterThanOrEqualTo(8);
    List<String> problems = new ArrayList<>();
    for (Excerpt e : excerpts) {
      if (!Files.exists(e.source())) {
        problems.add(e.doc().getFileName() + ":" + e.line() + " quotes a missing file " + ROOT.relativize(e.source()));
        continue;
      }
      List<String> source = Files.readAllLines(e.source(), StandardCharsets.UTF_8).stream()
          .map(DocsExcerptTest::normalize).toList();
      int from = 0;
      for (String raw : e.code()) {
        String line = normalize(raw);
        if (line.isEmpty() || line.equals("...")) {
          continue;
        }
        int at = indexOf(source, line, from);
        if (at < 0) {
          problems.add(e.doc().getFileName() + ":" + e.line() + " (" + e.source().getFileName() + "): '" + raw.strip()
              + "' is not a line of the source after the previous one");
          continue;
        }
        from = at + 1;
      }
    }
    assertThat(problems).as("doc excerpts that differ from their quickstart").isEmpty();
  }

  @Test
  void normalizingDropsIndentationAndTrailingCommentsButNotSlashesInStrings() {
    assertThat(normalize("    ring.nodeFor(\"user:1\");   // \"cache-a\"")).isEqualTo("ring.nodeFor(\"user:1\");");
    assertThat(normalize("String url = \"http://x\";")).isEqualTo("String url = \"http://x\";");
    assertThat(normalize("// a whole-line comment")).isEmpty();
  }

  private static int indexOf(List<String> source, String line, int from) {
    for (int i = from; i < source.size(); i++) {
      if (source.get(i).equals(line)) {
        return i;
      }
    }
    return -1;
  }

  /** Strips indentation and a {@code //} comment that starts outside a string literal. */
  static String normalize(String line) {
    boolean inString = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && inString) {
        i++;
      } else if (c == '"') {
        inString = !inString;
      } else if (!inString && c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
        return line.substring(0, i).strip();
      }
    }
    return line.strip();
  }

  private static List<Excerpt> excerpts() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(ROOT.resolve("README.md"));
    try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    List<Excerpt> out = new ArrayList<>();
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = SOURCE.matcher(lines.get(i));
        if (!m.find()) {
          continue;
        }
        int fence = i + 1;
        while (fence < lines.size() && fence <= i + 4 && !lines.get(fence).startsWith("```")) {
          fence++;
        }
        if (fence >= lines.size() || !lines.get(fence).startsWith("```java")) {
          continue;
        }
        List<String> code = new ArrayList<>();
        int end = fence + 1;
        while (end < lines.size() && !lines.get(end).startsWith("```")) {
          code.add(lines.get(end++));
        }
        out.add(new Excerpt(doc, fence + 1, ROOT.resolve(m.group()), code));
        i = end;
      }
    }
    return out;
  }
}
