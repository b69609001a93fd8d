#!/usr/bin/env python3
"""A loopback server that holds streams open, for the idle-stream figure of bench/run_async_bench.

Every POST gets `200` headers (chunked text/event-stream) and one SSE chunk of a chat completion,
and then nothing: the stream stays open until the client closes it (nginx cannot do that). Used
to measure what an idle open stream costs a client (lemma_async_bench --mode idle).

    bench/hold_server.py PORT_FILE     binds 127.0.0.1 on a free port and writes it to PORT_FILE
"""
import asyncio
import json
import os
import sys

CHUNK = "data: " + json.dumps({
    "id": "chatcmpl-hold", "object": "chat.completion.chunk", "created": 1748000000,
    "model": "bench", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Let"},
                                   "logprobs": None, "finish_reason": None}]}) + "\n\n"
RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
            f"{len(CHUNK.encode()):x}\r\n{CHUNK}\r\n").encode()


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        writer.write(RESPONSE)
        await writer.drain()
        while await reader.read(4096):  # hold until the client closes
            pass
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(port_file: str) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
    with open(port_file + ".tmp", "w") as out:
        out.write(str(server.sockets[0].getsockname()[1]))
    # Renamed into place so that a reader never sees a half-written port.
    os.replace(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
