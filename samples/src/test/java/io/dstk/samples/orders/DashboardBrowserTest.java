package io.dstk.samples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless browser (Debian's chromium and chromium-driver, driven over W3C WebDriver): it
 * loads, shows three members, and shows two after one node is killed with {@code kill -9}.
 *
 * <p>Without the browser the test is skipped, unless {@code DSTK_REQUIRE_BROWSER=1} (set by CI) makes it fail.
 */
class DashboardBrowserTest {
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final List<String> NAMES = List.of("n1", "n2", "n3");
  private static final String INSTALL = "the dashboard test needs Debian's chromium and chromedriver at "
      + WebDriverClient.CHROMIUM + " and " + WebDriverClient.CHROMEDRIVER
      + ": apt-get install -y chromium chromium-driver";

  private LocalNodes nodes;
  private WebDriverClient browser;

  @BeforeEach
  void requireBrowser() {
    boolean present = Files.isExecutable(WebDriverClient.CHROMIUM) && Files.isExecutable(WebDriverClient.CHROMEDRIVER);
    if (!present && "1".equals(System.getenv("DSTK_REQUIRE_BROWSER"))) {
      fail(INSTALL);
    }
    assumeTrue(present, INSTALL);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void dashboardShowsThreeMembersThenTwoAfterKill9() throws Exception {
    Path logs = Files.createTempDirectory("orders-browser-test-");
    nodes = new LocalNodes("orders-browser-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
        LocalNodes.freeBasePort(), NAMES, List.of("--process-every-ms", "0"), logs);
    nodes.startAll(NAMES);
    URI dashboard = nodes.nodes().get("n1").url().resolve("/");

    browser = WebDriverClient.start(logs.resolve("chromedriver.log"));
    browser.navigate(dashboard);

    // The page rebuilds its member list every second: an element found just before a refresh is stale by the time
    // its text is read (the driver then fails the call), so the list is read again until one reading succeeds.
    await().atMost(AWAIT).until(() -> "3".equals(browser.text("#member-count")));
    await().atMost(AWAIT).ignoreException(IllegalStateException.class).untilAsserted(() ->
        assertThat(browser.texts("#members li")).hasSize(3).anySatisfy(t -> assertThat(t).startsWith("n2")));
    assertThat(browser.text("#node")).isEqualTo("n1");

    nodes.kill9("n2");

    await().atMost(AWAIT).until(() -> "2".equals(browser.text("#member-count")));
    await().atMost(AWAIT).ignoreException(IllegalStateException.class).untilAsserted(() ->
        assertThat(browser.texts("#members li")).hasSize(2).noneSatisfy(t -> assertThat(t).startsWith("n2")));
  }
}
