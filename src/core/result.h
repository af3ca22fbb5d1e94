#pragma once

#include <string>
#include <utility>
#include <variant>

namespace yunwei::core {

// What went wrong, in terms a caller can act on. The API maps each code to one HTTP status.
enum class ErrorCode {
  kInvalidArgument,     // 400: the input is malformed or out of range
  kUnauthenticated,     // 401: no or bad credentials
  kForbidden,           // 403: authenticated, but not allowed
  kNotFound,            // 404
  kMethodNotAllowed,    // 405
  kConflict,            // 409: stale version, duplicate key, invalid state transition
  kPreconditionFailed,  // 412
  kPayloadTooLarge,     // 413
  kUnsupportedMedia,    // 415
  kUnprocessable,       // 422: well-formed but semantically impossible
  kTooManyRequests,     // 429: throttled; retry_after_s says when to retry
  kUnavailable,         // 503: database busy or down, shutting down
  kInternal,            // 500: a bug or an unexpected failure; the message is not shown to clients
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;      // the input field at fault, if any ("urgency", "roles[1]")
  int retry_after_s = 0;  // for kTooManyRequests
};

// Short constructors for the common cases.
inline Error invalid(std::string field, std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
}
inline Error not_found(std::string message) {
  return Error{ErrorCode::kNotFound, std::move(message)};
}
inline Error conflict(std::string message, std::string field = {}) {
  return Error{ErrorCode::kConflict, std::move(message), std::move(field)};
}
inline Error forbidden(std::string message) {
  return Error{ErrorCode::kForbidden, std::move(message)};
}
inline Error internal(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message)};
}

// Canonical lower-case name of a code, as sent in `{"error":{"code": ...}}`.
const char* error_code_name(ErrorCode code);

// A T or an Error (GCC 12 has no std::expected).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace yunwei::core

// Returns the error of `expr` (a Result) from the enclosing function when it failed.
#define YW_TRY(expr)                                                    \
  do {                                                                  \
    auto yw_try_result_ = (expr);                                       \
    if (!yw_try_result_.ok()) return std::move(yw_try_result_).error(); \
  } while (0)

#define YW_CONCAT_INNER(a, b) a##b
#define YW_CONCAT(a, b) YW_CONCAT_INNER(a, b)
// `YW_ASSIGN(auto x, f());` declares x from f()'s value, or returns f()'s error.
#define YW_ASSIGN(decl, expr) YW_ASSIGN_IMPL(YW_CONCAT(yw_res_, __LINE__), decl, expr)
#define YW_ASSIGN_IMPL(tmp, decl, expr)         \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
