"""Leftover English: the password rules and the upload label read in Thai."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from datasets.forms import UploadForm


def test_password_rules_and_errors_are_thai():
    with translation.override("th"):
        rules = password_validators_help_texts()
        assert rules == [
            "รหัสผ่านต้องไม่คล้ายกับข้อมูลส่วนตัวอื่นของคุณ",
            "รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร",
            "รหัสผ่านต้องไม่ใช่รหัสผ่านที่ใช้กันทั่วไป",
            "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด",
        ]
        with pytest.raises(ValidationError) as error:
            validate_password("12345")
        assert error.value.messages == [
            "รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย 10 ตัวอักษร",
            "รหัสผ่านนี้ใช้กันทั่วไปเกินไป",
            "รหัสผ่านนี้เป็นตัวเลขทั้งหมด",
        ]


def test_upload_label_is_thai():
    with translation.override("th"):
        assert str(UploadForm.base_fields["file"].label) == "ไฟล์ (Excel .xlsx/.xls, OpenDocument .ods, CSV/TSV รหัสภาษาไทยแบบใดก็ได้)"
