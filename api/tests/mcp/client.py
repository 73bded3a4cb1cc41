"""Drives `ctxi mcp` with the official MCP Python SDK (`mcp` on PyPI), as an agent would.

Usage: python client.py PLAN.json

The plan, written by api/tests/mcp.rs:
  {"command": "/path/to/ctxi",
   "sessions": [{"label": "...", "env": {...}, "calls": [{"label": "...", "tool": "...", "args": {...}}]}]}

Each session spawns `ctxi mcp` over stdio with its own environment, initializes, lists the
tools and makes the calls in order. Prints one JSON object to stdout with what it observed;
the Rust test makes the assertions. Exits non-zero only if the SDK itself fails.
"""

import asyncio
import json
import sys
import traceback

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import TextContent


def observe_call(label, tool, result):
    texts = [block.text for block in result.content if isinstance(block, TextContent)]
    return {
        "label": label,
        "tool": tool,
        "is_error": bool(result.is_error),
        "text": "\n".join(texts),
        "structured": result.structured_content,
    }


async def run_session(command, session_plan):
    params = StdioServerParameters(command=command, args=["mcp"], env=session_plan["env"])
    observed = {"label": session_plan["label"], "calls": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            observed["protocol_version"] = init.protocol_version
            observed["server_name"] = init.server_info.name
            observed["instructions"] = init.instructions
            tools = await session.list_tools()
            observed["tools"] = {
                tool.name: {"description": tool.description, "input_schema": tool.input_schema}
                for tool in tools.tools
            }
            for call in session_plan["calls"]:
                try:
                    result = await session.call_tool(call["tool"], call["args"])
                    observed["calls"].append(observe_call(call["label"], call["tool"], result))
                except Exception as error:  # a protocol error: recorded, and the test fails on it
                    observed["calls"].append(
                        {"label": call["label"], "tool": call["tool"], "exception": repr(error)}
                    )
    return observed


async def main(plan_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    sessions = []
    for session_plan in plan["sessions"]:
        try:
            sessions.append(await run_session(plan["command"], session_plan))
        except Exception:
            sessions.append({"label": session_plan["label"], "failure": traceback.format_exc()})
    json.dump({"sessions": sessions}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
