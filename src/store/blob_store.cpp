#include "store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "core/crypto.h"

namespace yunwei::store {
namespace {

namespace fs = std::filesystem;

bool valid_sha256(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

core::Error io_error(std::string_view what, const fs::path& path, int err) {
  return core::internal("blob store: " + std::string(what) + " " + path.string() + ": " +
                        std::generic_category().message(err));
}

// Closes a file descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports close's errno (0 on success): a failed close can lose written data.
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// Makes a rename or a new directory entry in `dir` durable.
core::Status fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("cannot fsync directory", dir, errno);
  return {};
}

}  // namespace

BlobStore::BlobStore(fs::path root) : root_(std::move(root)) {}

fs::path BlobStore::path_of(std::string_view sha256) const {
  return root_ / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

core::Result<std::string> BlobStore::put(std::string_view data) {
  std::string sha = core::sha256_hex(data);
  const fs::path path = path_of(sha);
  const fs::path dir = path.parent_path();

  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return sha;

  std::error_code ec;
  bool created = fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create directory", dir, ec.value());

  // A unique temporary name in the same directory (same file system), so rename is atomic and
  // concurrent puts of the same content never see each other's partial files.
  // Built by appending: GCC 12 -O3 warns falsely (-Wrestrict) on "lit" + std::string.
  std::string tmp_leaf = ".";
  tmp_leaf.append(sha, 0, 16);
  tmp_leaf += ".tmp-XXXXXX";
  std::string tmp_name = (dir / tmp_leaf).string();
  std::vector<char> tmpl(tmp_name.begin(), tmp_name.end());
  tmpl.push_back('\0');
  Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot create temporary file in", dir, errno);
  const fs::path tmp(tmpl.data());
  auto fail = [&](std::string_view what, int err) {
    core::Error e = io_error(what, tmp, err);
    ::unlink(tmp.c_str());
    return e;
  };

  if (int err = write_all(fd.get(), data)) return fail("cannot write", err);
  if (::fchmod(fd.get(), 0640) != 0) return fail("cannot chmod", errno);
  if (::fsync(fd.get()) != 0) return fail("cannot fsync", errno);
  if (int err = fd.close()) return fail("cannot close", err);
  // Another writer may have renamed the same content into place meanwhile; replacing it with
  // identical bytes is harmless and readers holding the old file keep reading it.
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;  // before the message is built: allocation may clobber errno
    return fail("cannot rename to " + path.string() + " from", err);
  }

  YW_TRY(fsync_dir(dir));
  if (created) YW_TRY(fsync_dir(root_));
  return sha;
}

core::Result<std::string> BlobStore::get(std::string_view sha256) const {
  if (!valid_sha256(sha256)) {
    return core::invalid("sha256", "a blob id must be 64 lower-case hex digits");
  }
  const fs::path path = path_of(sha256);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return core::not_found("blob " + std::string(sha256) + " not found");
    return io_error("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", path, errno);
  std::string data;
  data.reserve(static_cast<std::size_t>(st.st_size));
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  // Cheap next to the network transfer, and it turns silent disk corruption into an error.
  if (core::sha256_hex(data) != sha256) {
    return core::internal("blob store: " + path.string() + " does not match its SHA-256");
  }
  return data;
}

bool BlobStore::contains(std::string_view sha256) const {
  if (!valid_sha256(sha256)) return false;
  struct stat st {};
  return ::stat(path_of(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace yunwei::store
