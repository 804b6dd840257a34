package dev.sodec.codec.serve;

/** One endpoint: a whole request in, a whole response out; {@link HttpError} for an answer other than success. */
@FunctionalInterface
interface Handler {
    ApiResponse handle(ApiRequest request) throws Exception;
}
