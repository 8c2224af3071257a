"""Open our exported .docx and .pptx in LibreOffice: convert each to PDF and report success, time and pages.

    PYTHONPATH=src python bench/export_office.py [--out DIR] [--timeout 120]

Prints SKIP and exits 0 when LibreOffice is not installed. Exits 1 when a conversion fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from sizheng_bot.export import write_docx, write_pptx
from sizheng_bot.types import Citation, Result

SAMPLE_TEXT = """# 用好谈心谈话这把“金钥匙”——机关党支部微党课

授课对象：机关全体党员干部
时长：约15分钟
主讲人：【待定】

> 离线摘编模式：以下内容摘编自知识库原文，未经大模型改写，请结合本单位实际修改完善。

## 一、导入（约2分钟）

- 提问：你上一次和支部书记认真谈心是什么时候？
- 引出主题：各党支部严格落实组织生活会、谈心谈话、民主评议党员等制度。[2]

## 二、为什么谈：思想是行动的先导（约4分钟）

### （一）思想上达成共识，才能行动上一致

- 思想是行动的先导。只有思想上达成共识，才能做到行动上一致。[1]
- 聚焦“授业”，顺应机关思想政治工作规律特点，经常开展家访、主题党日、组织生活、谈心谈话、重温入党誓词和领袖训词等党建活动，加强党员干部日常监督尤其是八小时以外的监督，及时检视防范风险、发现问题苗头，做到早提醒、早预防。[1]

## 三、谈什么：“三谈三促”明方向（约4分钟）

- 聚焦“谈思想、促成长，谈目标、促发展，谈纪律、促廉洁”主题，开展常态化全覆盖谈心谈话。[3]
- 明确“五必谈”范围，做到责任再压实，谈话全覆盖。[3]
- 坚持关心激励、以诚相待、注重实效、及时经常、隐私保密原则。[3]
- 营造教职工愿谈想谈、能谈畅谈良性空间，变“单向报告”为“双向交流”。[3]
- 谈话人对谈心谈话过程中收集的意见建议进行整理，为校（院）委决策提供参考。[3]
- 谈话对象根据谈话人提出的意见建议，落实整改措施，形成闭环管理。[3]
- 将谈心谈话工作从“做没做”向“优不优”提升。[3]
- 本单位做法：【待定】（请补充本支部的具体案例）

## 四、怎么谈：把谈心谈话做到心坎上（约3分钟）

1. **推行“一对一”谈心谈话制度**：领导干部要定期与下属进行面对面的交流，了解他们的工作、生活情况，倾听他们的想法和困扰。[4]
2. 要确定谈心谈话的频率和时间。[4]

## 五、互动讨论（约2分钟）

- 结合本支部实际，谈谈你在谈心谈话中遇到的最大困难是什么？
- 如何让年轻干部愿谈、敢谈、说真话？

## 六、结语（约1分钟）

谈心谈话贵在经常、重在走心。让我们从下一次谈话做起，把“单向报告”变为“双向交流”。[3]
"""

CITATIONS = [
    Citation(1, "全市机关党建观摩推进会交流发言.txt", "全市机关党建观摩推进会交流发言", "", None,
             "思想是行动的先导。只有思想上达成共识,才能做到行动上一致。"),
    Citation(2, "市委党校机关思想政治工作调研报告.txt", "市委党校机关思想政治工作调研报告", "（二）强化组织引领，做到方式提质", None,
             "各党支部严格落实组织生活会、谈心谈话、民主评议党员等制度"),
    Citation(3, "市委党校机关思想政治工作调研报告.txt", "市委党校机关思想政治工作调研报告", "（三）强化制度引领，做到行动同步", None,
             "聚焦“谈思想、促成长，谈目标、促发展，谈纪律、促廉洁”主题，开展常态化全覆盖谈心谈话。"),
    Citation(4, "加强机关思想政治工作的研究_平昌县.txt", "加强机关思想政治工作的研究", "", 5,
             "一是推行\"一对一\"谈心谈话制度。"),
]  # fmt: skip


def find_office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


def convert(office: str, src: Path, out_dir: Path, profile: Path, timeout: float) -> tuple[bool, float, str]:
    """Run LibreOffice headless on one file; returns (ok, seconds, message)."""
    cmd = [
        office,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        str(src),
    ]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, time.perf_counter() - start, f"超时（{timeout:.0f} 秒）"
    seconds = time.perf_counter() - start
    pdf = out_dir / (src.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        return False, seconds, f"转换失败（返回码 {proc.returncode}）：{detail[-1] if detail else '无输出'}"
    return True, seconds, str(pdf)


def describe_pdf(pdf: Path, expect: str) -> str:
    reader = PdfReader(str(pdf))
    first = reader.pages[0].extract_text() or ""
    found = "是" if expect in first.replace("\n", "") else "否"
    return f"{len(reader.pages)} 页，首页含标题文字：{found}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="用 LibreOffice 把导出的 .docx/.pptx 转为 PDF，检验能否正常打开"
    )
    parser.add_argument("--out", type=Path, default=None, help="输出目录（默认临时目录）")
    parser.add_argument("--timeout", type=float, default=120.0, help="每个文件的转换超时（秒）")
    args = parser.parse_args()

    office = find_office()
    if office is None:
        print("SKIP：未找到 LibreOffice（libreoffice/soffice），跳过转换检验。")
        print(
            "安装：apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-impress-nogui"
        )
        return 0

    out_dir = args.out or Path(tempfile.mkdtemp(prefix="sizheng_export_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    result = Result(text=SAMPLE_TEXT, mode="offline", status="answered", task="outline", citations=CITATIONS)
    started = time.perf_counter()
    # distinct stems: LibreOffice names the PDF after the input file
    files = [
        write_docx(result, out_dir / "微党课提纲_文档.docx"),
        write_pptx(result, out_dir / "微党课提纲_幻灯片.pptx"),
    ]
    print(f"生成 .docx 与 .pptx：{time.perf_counter() - started:.2f} 秒 → {out_dir}")

    failures = 0
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        for src in files:
            ok, seconds, message = convert(office, src, out_dir, Path(profile), args.timeout)
            if ok:
                print(
                    f"OK    {src.name:<18} {seconds:6.1f} 秒  {describe_pdf(Path(message), '用好谈心谈话')}"
                )
            else:
                failures += 1
                print(f"FAIL  {src.name:<18} {seconds:6.1f} 秒  {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
