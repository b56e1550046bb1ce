package io.dstk.membership;

import java.util.Objects;

/**
 * A named request/response endpoint: the request and response codecs for one kind of request.
 *
 * @param name the endpoint name, 1..200 UTF-8 bytes (shares the name space of {@link Topic}s)
 * @param requestCodec encodes requests
 * @param responseCodec encodes responses
 * @param <Q> the request type
 * @param <R> the response type
 */
public record Endpoint<Q, R>(String name, PayloadCodec<Q> requestCodec, PayloadCodec<R> responseCodec) {

  /**
   * Validates the name.
   *
   * @throws IllegalArgumentException if the name is empty or longer than 200 UTF-8 bytes
   * @throws NullPointerException if an argument is null
   */
  public Endpoint {
    Topic.checkName(name);
    Objects.requireNonNull(requestCodec, "requestCodec");
    Objects.requireNonNull(responseCodec, "responseCodec");
  }

  /**
   * Creates an endpoint.
   *
   * @param name the endpoint name
   * @param requestCodec the request codec
   * @param responseCodec the response codec
   * @param <Q> the request type
   * @param <R> the response type
   * @return the endpoint
   */
  public static <Q, R> Endpoint<Q, R> of(String name, PayloadCodec<Q> requestCodec, PayloadCodec<R> responseCodec) {
    return new Endpoint<>(name, requestCodec, responseCodec);
  }
}
