// What changed between two JSON documents (two versions of a workflow definition, an approval's
// shown values before and after a reviewer's edits), as a list of
// {"path", "op", "before", "after"}: op "added" (no "before"), "removed" (no "after") or
// "changed". Paths are JSON Pointers (RFC 6901) into the documents, except that an array whose
// elements are all objects with a distinct string "id" (a definition's steps) is compared by id
// and its elements are named by it: "/steps/review/timeout", not "/steps/2/timeout", so
// inserting a step shows as one step added rather than every later step changed. Objects are
// compared member by member; other arrays, element by element.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace assent {

boost::json::array JsonDiff(const boost::json::value& before, const boost::json::value& after);

}  // namespace assent
