package py

import (
	"fmt"
	"slices"
	"strings"
)

// This file is the part of Python's difflib that Salt's diffs come from
// (salt.utils.stringutils.get_diff is "".join(difflib.unified_diff(a, b))):
// SequenceMatcher with its default autojunk heuristic and no junk
// function, and unified_diff with three lines of context. A port rather
// than any other diff algorithm, because the hunks an operator sees in
// "changes" must be the ones Salt shows.

type opcode struct {
	tag            byte // 'e'qual, 'r'eplace, 'd'elete, 'i'nsert
	i1, i2, j1, j2 int
}

type match struct{ i, j, k int }

type seqMatcher struct {
	a, b    []string
	b2j     map[string][]int
	popular map[string]bool
}

func newSeqMatcher(a, b []string) *seqMatcher {
	m := &seqMatcher{a: a, b: b, b2j: map[string][]int{}, popular: map[string]bool{}}
	for i, elt := range b {
		m.b2j[elt] = append(m.b2j[elt], i)
	}
	if n := len(b); n >= 200 {
		ntest := n/100 + 1
		for elt, idxs := range m.b2j {
			if len(idxs) > ntest {
				m.popular[elt] = true
			}
		}
		for elt := range m.popular {
			delete(m.b2j, elt)
		}
	}
	return m
}

// longest is SequenceMatcher.find_longest_match (no junk: the popular
// elements are only matched by extending a match at its ends).
func (m *seqMatcher) longest(alo, ahi, blo, bhi int) match {
	besti, bestj, best := alo, blo, 0
	j2len := map[int]int{}
	for i := alo; i < ahi; i++ {
		next := map[int]int{}
		for _, j := range m.b2j[m.a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			next[j] = k
			if k > best {
				besti, bestj, best = i-k+1, j-k+1, k
			}
		}
		j2len = next
	}
	for besti > alo && bestj > blo && m.a[besti-1] == m.b[bestj-1] {
		besti, bestj, best = besti-1, bestj-1, best+1
	}
	for besti+best < ahi && bestj+best < bhi && m.a[besti+best] == m.b[bestj+best] {
		best++
	}
	return match{besti, bestj, best}
}

func (m *seqMatcher) matchingBlocks() []match {
	la, lb := len(m.a), len(m.b)
	queue := [][4]int{{0, la, 0, lb}}
	var blocks []match
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x := m.longest(q[0], q[1], q[2], q[3])
		if x.k == 0 {
			continue
		}
		blocks = append(blocks, x)
		if q[0] < x.i && q[2] < x.j {
			queue = append(queue, [4]int{q[0], x.i, q[2], x.j})
		}
		if x.i+x.k < q[1] && x.j+x.k < q[3] {
			queue = append(queue, [4]int{x.i + x.k, q[1], x.j + x.k, q[3]})
		}
	}
	slices.SortFunc(blocks, func(p, q match) int {
		if p.i != q.i {
			return p.i - q.i
		}
		if p.j != q.j {
			return p.j - q.j
		}
		return p.k - q.k
	})
	var out []match
	cur := match{}
	for _, x := range blocks {
		if cur.i+cur.k == x.i && cur.j+cur.k == x.j {
			cur.k += x.k
			continue
		}
		if cur.k > 0 {
			out = append(out, cur)
		}
		cur = x
	}
	if cur.k > 0 {
		out = append(out, cur)
	}
	return append(out, match{la, lb, 0})
}

func (m *seqMatcher) opcodes() []opcode {
	i, j := 0, 0
	var out []opcode
	for _, x := range m.matchingBlocks() {
		var tag byte
		switch {
		case i < x.i && j < x.j:
			tag = 'r'
		case i < x.i:
			tag = 'd'
		case j < x.j:
			tag = 'i'
		}
		if tag != 0 {
			out = append(out, opcode{tag, i, x.i, j, x.j})
		}
		i, j = x.i+x.k, x.j+x.k
		if x.k > 0 {
			out = append(out, opcode{'e', x.i, i, x.j, j})
		}
	}
	return out
}

// groupedOpcodes is get_grouped_opcodes(n): the hunks, each with up to n
// lines of context.
func (m *seqMatcher) groupedOpcodes(n int) [][]opcode {
	codes := m.opcodes()
	if len(codes) == 0 {
		codes = []opcode{{'e', 0, 1, 0, 1}}
	}
	if c := &codes[0]; c.tag == 'e' {
		c.i1, c.j1 = max(c.i1, c.i2-n), max(c.j1, c.j2-n)
	}
	if c := &codes[len(codes)-1]; c.tag == 'e' {
		c.i2, c.j2 = min(c.i2, c.i1+n), min(c.j2, c.j1+n)
	}
	var groups [][]opcode
	var group []opcode
	for _, c := range codes {
		if c.tag == 'e' && c.i2-c.i1 > 2*n {
			group = append(group, opcode{'e', c.i1, min(c.i2, c.i1+n), c.j1, min(c.j2, c.j1+n)})
			groups = append(groups, group)
			group = nil
			c.i1, c.j1 = max(c.i1, c.i2-n), max(c.j1, c.j2-n)
		}
		group = append(group, c)
	}
	if len(group) > 0 && !(len(group) == 1 && group[0].tag == 'e') {
		groups = append(groups, group)
	}
	return groups
}

func unifiedRange(start, stop int) string {
	beginning, length := start+1, stop-start
	if length == 1 {
		return fmt.Sprint(beginning)
	}
	if length == 0 {
		beginning--
	}
	return fmt.Sprintf("%d,%d", beginning, length)
}

// UnifiedDiff is "".join(difflib.unified_diff(a, b)) with empty file
// names, a and b being lines that keep their line endings.
func UnifiedDiff(a, b []string) string { return strings.Join(UnifiedDiffItems(a, b), "") }

// UnifiedDiffItems is the list difflib.unified_diff(a, b) yields: the
// header and hunk lines end with "\n" (its lineterm), the others are a's
// and b's lines behind their one-character prefix. Salt joins them with
// "" for lines that keep their ends, with "\n" for lines that do not
// (file.append).
func UnifiedDiffItems(a, b []string) []string {
	var out []string
	for gi, group := range newSeqMatcher(a, b).groupedOpcodes(3) {
		if gi == 0 {
			out = append(out, "--- \n", "+++ \n")
		}
		first, last := group[0], group[len(group)-1]
		out = append(out, fmt.Sprintf("@@ -%s +%s @@\n", unifiedRange(first.i1, last.i2), unifiedRange(first.j1, last.j2)))
		for _, c := range group {
			if c.tag == 'e' {
				out = prefixed(out, " ", a[c.i1:c.i2])
				continue
			}
			if c.tag == 'r' || c.tag == 'd' {
				out = prefixed(out, "-", a[c.i1:c.i2])
			}
			if c.tag == 'r' || c.tag == 'i' {
				out = prefixed(out, "+", b[c.j1:c.j2])
			}
		}
	}
	return out
}

func prefixed(out []string, prefix string, lines []string) []string {
	for _, l := range lines {
		out = append(out, prefix+l)
	}
	return out
}
