package io.dstk.samples.orders;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.TerminalFailureException;

/**
 * A minimal W3C WebDriver client for the tests: starts Debian's {@code chromedriver} on a free port and drives a
 * headless {@code chromium} through the WebDriver HTTP protocol (no Selenium, no browser download).
 */
final class WebDriverClient implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process driver;
  private final URI base;
  private String session;

  private WebDriverClient(Process driver, URI base) {
    this.driver = driver;
    this.base = base;
  }

  /** Starts chromedriver, waits until it is ready and opens a headless browser session. */
  static WebDriverClient start(Path logFile) throws Exception {
    // The port is found free, then bound by chromedriver: another process may take it in between, and chromedriver
    // then exits at once. Another port is tried then.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
      WebDriverClient client = new WebDriverClient(driver, URI.create("http://127.0.0.1:" + port));
      try {
        client.awaitReady();
        client.newSession();
        return client;
      } catch (TerminalFailureException e) {
        client.close();
        if (attempt == 3) {
          throw e;
        }
      } catch (Exception | Error e) {
        client.close();
        throw e;
      }
    }
  }

  private void awaitReady() {
    await("chromedriver ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .failFast("chromedriver exited", () -> !driver.isAlive())
        .until(() -> {
          try {
            return call("GET", "/status", null).path("ready").asBoolean();
          } catch (IOException e) {
            return false; // not listening yet
          }
        });
  }

  private void newSession() throws Exception {
    Map<String, Object> chrome = Map.of("binary", CHROMIUM.toString(),
        "args", List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"));
    Map<String, Object> caps = Map.of("capabilities",
        Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", chrome)));
    session = call("POST", "/session", caps).get("sessionId").asText();
  }

  /** Navigates to a URL. */
  void navigate(URI url) throws Exception {
    call("POST", "/session/" + session + "/url", Map.of("url", url.toString()));
  }

  /** Returns the visible text of every element matching a CSS selector. */
  List<String> texts(String css) throws Exception {
    JsonNode found = call("POST", "/session/" + session + "/elements", Map.of("using", "css selector", "value", css));
    List<String> texts = new ArrayList<>();
    for (JsonNode element : found) {
      texts.add(call("GET", "/session/" + session + "/element/" + element.get(ELEMENT).asText() + "/text", null)
          .asText());
    }
    return texts;
  }

  /** Returns the visible text of the first element matching a CSS selector, or null if none matches. */
  String text(String css) throws Exception {
    List<String> texts = texts(css);
    return texts.isEmpty() ? null : texts.get(0);
  }

  private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = JSON.readTree(response.body());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("WebDriver " + method + " " + path + " failed: " + response.statusCode() + " "
          + response.body());
    }
    return json.get("value");
  }

  /** Deletes the session (closing the browser) and stops chromedriver. */
  @Override
  public void close() {
    try {
      if (session != null) {
        call("DELETE", "/session/" + session, null);
      }
    } catch (Exception e) {
      // the driver is stopped below either way
    } finally {
      driver.destroyForcibly();
      try {
        driver.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
