"""The one bounded cache: least recently used out first, weighed, optionally expiring."""

from api.cache import LRUCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_putting_a_key_again_replaces_its_value_and_refreshes_it() -> None:
    cache: LRUCache[str, int] = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (10, None, 3)


def test_entries_are_bounded_by_weight_and_one_too_heavy_is_not_kept() -> None:
    cache: LRUCache[str, str] = LRUCache(10, weigh=len)
    cache.put("a", "xxxx")
    cache.put("b", "yyyy")
    cache.put("c", "zzzz")  # 12 > 10: "a" goes
    assert (cache.get("a"), cache.weight) == (None, 8)
    cache.put("d", "w" * 11)
    assert (cache.get("d"), cache.get("b"), cache.weight) == (None, "yyyy", 8)


def test_entries_expire_after_their_time_to_live() -> None:
    clock = Clock()
    cache: LRUCache[str, int] = LRUCache(10, 5.0, clock=clock)
    cache.put("a", 1)
    clock.now += 4.9
    assert cache.get("a") == 1
    clock.now += 0.1
    assert cache.get("a") is None
    assert len(cache) == 0


def test_a_cached_none_is_told_apart_from_a_missing_entry() -> None:
    cache: LRUCache[str, int | None] = LRUCache(2)
    cache.put("known absent", None)
    assert cache.lookup("known absent") == (True, None)
    assert cache.lookup("never asked") == (False, None)
