#!/usr/bin/env python3
"""Checks the DOM that a headless browser dumped from report.html against summary.json.

usage: eval_report_dom_check.py DOM.html summary.json INJECTION_MARKER

- every element with data-summary holds data-value equal (as JSON) to summary.json's value at
  that JSON Pointer, and every number (or null) of summary.json is shown by at least one;
- the elements' text is the formatted value (a rate as "61.3 %", "n/a" for null);
- the page holds no script, image, frame, object, link or form element, and no element has an
  on* attribute: injected markup stayed text. INJECTION_MARKER (a string inside the injected
  markup) appears in the text content;
- the charts (svg) are there.
Prints each problem and exits 1 on any.
"""
import json
import sys
from html.parser import HTMLParser

FORBIDDEN = {"script", "img", "iframe", "frame", "object", "embed", "link", "form", "base",
             "meta-refresh", "video", "audio", "source", "input", "button"}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.marked = []  # [pointer, value, text] of data-summary elements
        self.open_marked = []  # indexes into marked whose element is open (by depth)
        self.stack = []
        self.tags = {}
        self.on_attributes = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.on_attributes.append((tag, name))
        if "data-summary" in attributes:
            self.marked.append([attributes["data-summary"], attributes.get("data-value"), ""])
            self.open_marked.append((len(self.stack), len(self.marked) - 1))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack:
                top = self.stack.pop()
                while self.open_marked and self.open_marked[-1][0] >= len(self.stack):
                    self.open_marked.pop()
                if top == tag:
                    break

    def handle_data(self, data):
        self.text.append(data)
        for _, index in self.open_marked:
            self.marked[index][2] += data


def resolve(document, pointer):
    node = document
    if pointer == "":
        return node
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            raise KeyError(pointer)
        node = node[token]
    return node


def number_pointers(node, at=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from number_pointers(value, at + "/" + key.replace("~", "~0").replace("/", "~1"))
    elif node is None or (isinstance(node, (int, float)) and not isinstance(node, bool)):
        yield at


def main():
    dom_path, summary_path, marker = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(summary_path, encoding="utf-8") as f:
        summary = json.load(f)
    with open(dom_path, encoding="utf-8") as f:
        dom_text = f.read()
    dom = Dom()
    dom.feed(dom_text)
    dom.close()
    problems = []
    if not dom.marked:
        problems.append("no data-summary element in the DOM")
    shown = set()
    for pointer, value, text in dom.marked:
        try:
            expected = resolve(summary, pointer)
        except KeyError:
            problems.append(f"{pointer}: not in summary.json")
            continue
        if value is None or json.loads(value) != expected:
            problems.append(f"{pointer}: data-value {value!r} != summary.json {expected!r}")
        shown.add(pointer)
        text = text.strip()
        if expected is None and text != "n/a":
            problems.append(f"{pointer}: null shown as {text!r}, expected n/a")
        if isinstance(expected, (int, float)) and pointer.endswith(("accuracy", "_rate")) and \
                not text.endswith(f"{expected * 100:.1f} %"):
            problems.append(f"{pointer}: {expected} shown as {text!r}")
    for pointer in number_pointers(summary):
        if pointer not in shown:
            problems.append(f"{pointer}: a number of summary.json is not shown")
    for tag in sorted(FORBIDDEN & set(dom.tags)):
        problems.append(f"<{tag}> element in the page ({dom.tags[tag]}): markup was not escaped")
    for tag, name in dom.on_attributes:
        problems.append(f"<{tag} {name}=...>: an event handler attribute in the page")
    if marker not in "".join(dom.text):
        problems.append(f"the injected text {marker!r} is not shown as text")
    if dom.tags.get("svg", 0) < 3:
        problems.append(f"expected at least 3 charts (svg), found {dom.tags.get('svg', 0)}")
    for problem in problems:
        print("FAIL:", problem)
    print(f"checked {len(dom.marked)} marked numbers ({len(shown)} distinct), "
          f"{sum(dom.tags.values())} elements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
