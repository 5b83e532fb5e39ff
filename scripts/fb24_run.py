"""One fast_bitrix24 run against the emulator; prints a JSON line. Used by bench-fast-bitrix24.sh."""
import json
import sys
import time

from fast_bitrix24 import Bitrix

webhook, burst, drain, scale, mode, n = sys.argv[1:7]
burst, drain, scale, n = int(burst), int(drain), int(scale), int(n)
b = Bitrix(
    webhook,
    verbose=False,
    request_pool_size=burst,
    requests_per_second=float(drain * scale),
    ssl=False,
)
t = time.monotonic()
if mode == "write":
    items = [{"CHAT_ID": 101, "MESSAGE": f"m{i}"} for i in range(n)]
    res = b.call("imopenlines.bot.session.message.send", items)
    ok = sum(1 for r in res if r is True or r == 1 or r == "true")
else:
    res = b.get_all("user.get")
    ok = len(res)
print(json.dumps({"secs": time.monotonic() - t, "ok": ok}))
