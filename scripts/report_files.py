"""Writes a PyTorch experiment's report folder (report.json + report.md), shared by the experiment scripts."""
import json
import os


def write_report(out_dir, report, markdown, allow_nan=True):
    """report.json (indented, UTF-8) and report.md into out_dir; prints the Markdown and what was written."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False, allow_nan=allow_nan)
        f.write("\n")
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown)
    print("\n" + markdown)
    print(f"wrote {os.path.join(out_dir, 'report.json')} and report.md in {report['wallSeconds']:.0f} s")
