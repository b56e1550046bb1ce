package io.dstk.samples.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A small HTTP client of the order API (used by the demo and the tests). Thread-safe. */
public final class OrderClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One response.
   *
   * @param status the HTTP status
   * @param retryAfter the {@code Retry-After} header, if any
   * @param body the body as text
   */
  public record Response(int status, Optional<String> retryAfter, String body) {
    /**
     * Parses the body as JSON.
     *
     * @return the tree
     * @throws IllegalStateException if the body is not JSON
     */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("not JSON (" + status + "): " + body, e);
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Places an order.
   *
   * @param node the node's base URL
   * @param customer the customer
   * @param item the item
   * @param quantity the quantity
   * @return the response
   */
  public Response placeOrder(URI node, String customer, String item, int quantity) {
    return send(node, "POST", "/orders", toJson(Map.of("customer", customer, "item", item, "quantity", quantity)));
  }

  /**
   * Sends a request.
   *
   * @param node the node's base URL
   * @param method the method
   * @param path the path, e.g. {@code /orders/123}
   * @param body the body, or null for none
   * @return the response
   * @throws UncheckedIOException if the node cannot be reached
   */
  public Response send(URI node, String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(node.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().firstValue("Retry-After"), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + node.resolve(path) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Reads a node's dashboard state.
   *
   * @param node the node's base URL
   * @return the JSON of {@code /api/state}
   */
  public JsonNode state(URI node) {
    return send(node, "GET", "/api/state", null).json();
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
