#!/usr/bin/env bash
# Checks that abi_list.h names everything include/xen defines, so that a
# definition cannot escape the ABI test by being left out of the list.
# Prints TAP, one test per sort of name:
#
#   macros        every macro (but include guards) appears in the list
#   tags          every struct, union and enum tag has an ABI_SIZE (or its
#                 sizeof is in an ABI_PAIR)
#   typedefs      every typedef has an ABI_SIZE (a guest handle: kind handle)
#   enumerators   every enumerator has an ABI_CONST
#   fields        every member of a named struct or union, and every member
#                 of an unnamed one inside it, has an ABI_FIELD* (or its
#                 offsetof is in an ABI_PAIR)
#
# Enumerators made by pasting inside an X-macro list (XEN_ERRNO_LIST) are
# compared as a list by abi_test.c and are skipped here.
#
# usage: abi_complete.sh CC INCLUDE_DIR LIST
set -euo pipefail

cc=$1 inc=$2 list=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$inc" && find xen -name '*.h' | LC_ALL=C sort | sed 's/.*/#include <&>/') >"$tmp/all.c"
printf '#include <stddef.h>\n#include <stdint.h>\n' >"$tmp/base.c"
flags=(-std=gnu11 -nostdlibinc -I"$inc")

macro_names() {
    "$cc" "${flags[@]}" -E -dM "$1" |
        sed -E 's/^#define ([A-Za-z_][A-Za-z0-9_]*).*/\1/' | LC_ALL=C sort -u
}

# The declarations in include/xen, one per line: "tag struct NAME",
# "typedef NAME", "enumerator NAME", "field struct NAME PATH" where PATH
# leads through unnamed structs and unions (u.interdomain.port).
declarations() {
    "$cc" "${flags[@]}" -fsyntax-only -Xclang -ast-dump -fno-color-diagnostics "$1" |
        awk -v ours="$inc/xen/" '
        # The name a node declares: the last word before its type.
        function declared_name(line,    head, n, words) {
            head = line
            sub(/ '"'"'.*/, "", head)
            n = split(head, words, " ")
            return words[n]
        }
        # Prints the members of record id, under the named record top.
        function print_members(id, top, prefix,    i) {
            for (i = 1; i <= nmembers[id]; i++) {
                print "field " top " " prefix member_name[id, i]
                if (member_type[id, i] != "")
                    print_members(member_type[id, i], top, prefix member_name[id, i] ".")
            }
        }
        {
            # Where the node starts, before this line moves the current file.
            start = ""
            if (match($0, /<[^ <>,]+:[0-9]+:[0-9]+/)) {
                start = substr($0, RSTART + 1, RLENGTH - 1)
                if (start ~ /^line:/)
                    start = file substr(start, 5)
            }
            # A dump line names a file only when it changes; remember the last one.
            rest = $0
            while (match(rest, /[^ <>,]+\.h:[0-9]+:[0-9]+/)) {
                file = substr(rest, RSTART, RLENGTH)
                sub(/:[0-9]+:[0-9]+$/, "", file)
                rest = substr(rest, RSTART + RLENGTH)
            }
            if ($0 ~ /invalid sloc| implicit /)
                next
            depth = match($0, /[A-Za-z]/)
            node = substr($0, depth)
            sub(/ .*/, "", node)
            for (d in record)
                if (d + 0 >= depth)
                    delete record[d]
            if (index(file, ours) != 1)
                next
            if (node == "RecordDecl") {
                if (match($0, / (struct|union) [A-Za-z_][A-Za-z0-9_]* definition$/)) {
                    split(substr($0, RSTART + 1), w, " ")
                    record[depth] = w[1] " " w[2]
                    named[w[1] " " w[2]] = 1
                    print "tag " w[1] " " w[2]
                } else {
                    record[depth] = start # an unnamed record is known by its place
                }
            } else if (node == "EnumDecl") {
                if ($0 ~ /(line|col):[0-9:]+ [A-Za-z_][A-Za-z0-9_]*$/)
                    print "tag enum " $NF
            } else if (node == "TypedefDecl") {
                print "typedef " declared_name($0)
            } else if (node == "EnumConstantDecl") {
                if ($0 !~ /> <scratch space>/)
                    print "enumerator " declared_name($0)
            } else if (node == "FieldDecl" && (depth - 2) in record) {
                parent = record[depth - 2]
                i = ++nmembers[parent]
                member_name[parent, i] = declared_name($0)
                member_type[parent, i] = ""
                if (match($0, /\((unnamed|anonymous) (struct|union) at [^)]+\)/)) {
                    type = substr($0, RSTART, RLENGTH - 1)
                    sub(/.* at /, "", type)
                    member_type[parent, i] = type
                }
            }
        }
        END {
            for (id in named)
                print_members(id, id, "")
        }'
}

comm -23 <(macro_names "$tmp/all.c") <(macro_names "$tmp/base.c") |
    grep -v '^WINPV_XEN_.*_H$' >"$tmp/macros"
declarations "$tmp/all.c" | LC_ALL=C sort -u >"$tmp/decls"

# in_list REGEX: some line of the list matches.
in_list() { grep -Eq "$1" "$list"; }

covered() {
    local sort=$1 a=$2 b=${3:-} c=${4:-}
    case $sort in
    macro) grep -qw -- "$a" "$list" ;;
    tag) in_list "^ABI_SIZE\\($a, $b\\)|sizeof\\($a $b\\)" ;;
    typedef)
        if [[ $a == xen_guest_handle_* ]]; then
            in_list "^ABI_SIZE\\(handle, ${a#xen_guest_handle_}\\)"
        else
            in_list "^ABI_SIZE\\(type, $a\\)"
        fi
        ;;
    enumerator) in_list "^ABI_CONST\\($a\\)" ;;
    field) in_list "^ABI_FIELD[A-Z0-9_]*\\($a, $b, ${c//./, }\\)|offsetof\\($a $b, $c\\)" ;;
    esac
}

n=0
failed=0
echo "1..5"
for sort in macro tag typedef enumerator field; do
    n=$((n + 1))
    total=0 missing=()
    while read -r what a b c; do
        [[ -z $what ]] && continue
        total=$((total + 1))
        covered "$sort" "$a" "$b" "$c" || missing+=("$a${b:+ $b}${c:+ $c}")
    done < <(if [[ $sort == macro ]]; then sed 's/^/macro /' "$tmp/macros"; else
        grep "^$sort " "$tmp/decls" || true; fi)
    if ((${#missing[@]} == 0)); then
        echo "ok $n - ${sort}s: all $total of include/xen are in $list"
    else
        failed=1
        echo "not ok $n - ${sort}s: ${#missing[@]} of $total of include/xen are not in $list"
        printf '#   %s\n' "${missing[@]}"
    fi
done
exit $failed
