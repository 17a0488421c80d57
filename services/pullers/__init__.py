"""Order pullers: poll the channels that do not push (Amazon SP-API, eBay, Adobe Commerce)."""
