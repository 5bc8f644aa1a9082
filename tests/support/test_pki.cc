#include "tests/support/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace assent::testing {
namespace {

void Run(const std::string& command) {
  // Output only on failure would be nicer; openssl is quiet with these flags but for errors.
  if (std::system((command + " 2>/dev/null").c_str()) != 0) {
    throw std::runtime_error("test PKI: command failed: " + command);
  }
}

}  // namespace

TestPki MakeTestPki(const std::string& dir, const std::string& dns_name) {
  TestPki pki{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  const std::string ca_key = dir + "/ca.key";
  const std::string csr = dir + "/server.csr";
  const std::string extensions = dir + "/server.ext";
  {
    std::ofstream ext(extensions);
    ext << "subjectAltName=DNS:" << dns_name << "\n"
        << "basicConstraints=critical,CA:FALSE\n"
        << "keyUsage=critical,digitalSignature\n"
        << "extendedKeyUsage=serverAuth\n";
  }
  const std::string key_options = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  Run("openssl req -x509" + key_options + " -keyout " + ca_key + " -out " + pki.ca_file +
      " -days 2 -subj '/CN=Assent throwaway test CA'"
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
  Run("openssl req" + key_options + " -keyout " + pki.key_file + " -out " + csr +
      " -subj '/CN=" + dns_name + "'");
  Run("openssl x509 -req -in " + csr + " -CA " + pki.ca_file + " -CAkey " + ca_key +
      " -CAcreateserial -days 2 -out " + pki.cert_file + " -extfile " + extensions);
  return pki;
}

}  // namespace assent::testing
