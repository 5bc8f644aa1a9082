// JsonDiff (base/json_diff.h): what GET /v1/workflows/{name}/diff and an approval's edits show.
#include "base/json_diff.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace assent {
namespace {

namespace json = boost::json;

std::string Diff(const char* before, const char* after) {
  return json::serialize(JsonDiff(json::parse(before), json::parse(after)));
}

TEST(JsonDiffTest, EqualDocumentsHaveNoChanges) {
  EXPECT_EQ(Diff(R"({"a": [1, {"b": null}]})", R"({"a": [1, {"b": null}]})"), "[]");
}

TEST(JsonDiffTest, MembersAreAddedRemovedAndChangedByPath) {
  EXPECT_EQ(Diff(R"({"keep": 1, "gone": true, "n": {"x": 1}})",
                 R"({"keep": 1, "n": {"x": 2}, "new": "v"})"),
            R"([{"path":"/gone","op":"removed","before":true},)"
            R"({"path":"/n/x","op":"changed","before":1,"after":2},)"
            R"({"path":"/new","op":"added","after":"v"}])");
}

TEST(JsonDiffTest, StepsAreMatchedByIdSoAnInsertedStepIsOneChange) {
  EXPECT_EQ(Diff(R"({"steps": [{"id": "a", "t": 1}, {"id": "b", "t": 2}]})",
                 R"({"steps": [{"id": "a", "t": 1}, {"id": "new", "t": 9}, {"id": "b", "t": 3}]})"),
            R"([{"path":"/steps/b/t","op":"changed","before":2,"after":3},)"
            R"({"path":"/steps/new","op":"added","after":{"id":"new","t":9}}])");
}

TEST(JsonDiffTest, OtherArraysAreComparedByPosition) {
  EXPECT_EQ(Diff(R"({"editors": ["a", "b", "c"]})", R"({"editors": ["a", "x"]})"),
            R"([{"path":"/editors/1","op":"changed","before":"b","after":"x"},)"
            R"({"path":"/editors/2","op":"removed","before":"c"}])");
  // Duplicate ids: not keyed, so by position.
  EXPECT_EQ(Diff(R"([{"id": "a"}, {"id": "a"}])", R"([{"id": "a"}])"),
            R"([{"path":"/1","op":"removed","before":{"id":"a"}}])");
}

TEST(JsonDiffTest, PathTokensEscapeTildeAndSlashAndTypeChangesAreChanges) {
  EXPECT_EQ(Diff(R"({"a/b~c": 1})", R"({"a/b~c": [1]})"),
            R"([{"path":"/a~1b~0c","op":"changed","before":1,"after":[1]}])");
  EXPECT_EQ(Diff("1", R"("1")"), R"([{"path":"","op":"changed","before":1,"after":"1"}])");
}

}  // namespace
}  // namespace assent
