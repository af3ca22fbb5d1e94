#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace yunwei::store {

// A content-addressed file store for attachment bytes: each blob lives at
// root/<sha[0:2]>/<sha>, named by the lower-case hex SHA-256 of its content, so identical
// uploads share one file. Thread-safe, and safe across processes sharing `root`: writes go to a
// temporary file in the blob's directory, are fsynced, then renamed into place.
// I/O failures are kInternal with the path in the message (logged, not shown to clients).
class BlobStore {
 public:
  // `root` need not exist yet: put() creates it.
  explicit BlobStore(std::filesystem::path root);

  // Stores `data` and returns its SHA-256 (64 lower-case hex digits). Storing content that is
  // already present does not rewrite it.
  core::Result<std::string> put(std::string_view data);

  // The bytes of blob `sha256`. kInvalidArgument (field "sha256") unless `sha256` is exactly 64
  // lower-case hex digits, so no input can name a path outside root; kNotFound when absent;
  // kInternal when the file cannot be read or its content no longer matches its name.
  core::Result<std::string> get(std::string_view sha256) const;

  // True when `sha256` is well formed and stored.
  bool contains(std::string_view sha256) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path path_of(std::string_view sha256) const;

  std::filesystem::path root_;
};

}  // namespace yunwei::store
