#include "api/dashboard_files.h"

#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace assent::api {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kIndex = "index.html";

// Scripts and styles only from this server, nothing inline, no eval, no plugins; the stream
// and the API on this same origin ('self' includes ws: to it); never inside a frame.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

std::string_view ContentType(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js") || ends_with(".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".ico")) return "image/x-icon";
  if (ends_with(".json") || ends_with(".webmanifest")) return "application/json";
  if (ends_with(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

// The file a request path names, relative and '/'-separated: "" for a path that cannot name
// one (a dot segment, a separator or NUL inside a segment: nothing outside the folder).
std::string FilePath(const boost::urls::url_view& url) {
  std::string path;
  for (std::string segment : url.segments()) {
    if (segment.empty()) continue;
    if (segment == "." || segment == ".." ||
        segment.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      return "";
    }
    if (!path.empty()) path += '/';
    path += segment;
  }
  return path.empty() ? std::string(kIndex) : path;
}

// One of the page's routes, not a file: a path with no dot in its last segment, or any path
// under approvals/ or runs/ (an approval's id holds a dot: run_<id>.<seq>).
bool IsPageRoute(std::string_view path) {
  if (path.starts_with("approvals/") || path.starts_with("runs/")) return true;
  size_t slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

struct File {
  std::string body;
  std::string etag;  // empty: not cached (read from a folder)
};

std::optional<File> Embedded(std::string_view path) {
  for (const EmbeddedFile& file : EmbeddedDashboardFiles()) {
    if (file.path == path) return File{std::string(file.body), std::string(file.etag)};
  }
  return std::nullopt;
}

std::optional<File> FromFolder(const std::filesystem::path& folder, std::string_view path) {
  std::ifstream in(folder / path, std::ios::binary);
  if (!in || std::filesystem::is_directory(folder / path)) return std::nullopt;
  return File{std::string(std::istreambuf_iterator<char>(in), {}), ""};
}

void AddSecurityHeaders(Response& response) {
  response.set(http::field::server, "assent");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace

bool IsDashboardTarget(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  auto segments = url->segments();
  if (segments.empty()) return true;
  std::string first = *segments.begin();
  return first != "v1" && first != "healthz";
}

Response DashboardFiles::Serve(const Request& request) const {
  const bool keep_alive = request.keep_alive();
  auto refuse = [&](const ApiError& error) {
    Response response = ErrorResponse(error, request.version(), keep_alive);
    AddSecurityHeaders(response);
    return response;
  };
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Response response = refuse(ApiError::MethodNotAllowed());
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return refuse(ApiError::InvalidArgument("malformed request target"));
  std::string path = FilePath(*url);
  if (path.empty()) return refuse(ApiError::NotFound("no such file"));

  auto find = [&](std::string_view name) {
    return folder_ ? FromFolder(*folder_, name) : Embedded(name);
  };
  std::optional<File> file = find(path);
  if (!file && IsPageRoute(path)) {
    path = kIndex;
    file = find(path);
  }
  if (!file) return refuse(ApiError::NotFound("no such file: /" + path));

  Response response{http::status::ok, request.version()};
  response.keep_alive(keep_alive);
  AddSecurityHeaders(response);
  response.set(http::field::content_type, ContentType(path));
  if (file->etag.empty()) {
    response.set(http::field::cache_control, "no-store");
  } else {
    // Revalidated on every load (the files have no version in their names), answered 304
    // while they are the same.
    response.set(http::field::cache_control, "no-cache");
    response.set(http::field::etag, file->etag);
    if (request[http::field::if_none_match] == file->etag) {
      response.result(http::status::not_modified);
      return response;
    }
  }
  if (request.method() == http::verb::head) {
    response.content_length(file->body.size());
    return response;
  }
  response.body() = std::move(file->body);
  response.prepare_payload();
  return response;
}

}  // namespace assent::api
