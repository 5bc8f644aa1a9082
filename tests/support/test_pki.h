// TestPki: a throwaway certificate authority and a server certificate it signed, made with the
// `openssl` command-line tool into a test's own directory when the test runs (no private key
// is ever committed). The server certificate names only `dns_name` (subjectAltName), so a
// client that connects by another name or by address must refuse it.
#pragma once

#include <string>

namespace assent::testing {

struct TestPki {
  std::string ca_file;      // PEM: the CA's certificate, what a client trusts
  std::string cert_file;    // PEM: the server's certificate
  std::string key_file;     // PEM: the server's private key
};

// Writes the files into `dir` (which must exist). Throws std::runtime_error naming the command
// that failed.
TestPki MakeTestPki(const std::string& dir, const std::string& dns_name = "localhost");

}  // namespace assent::testing
