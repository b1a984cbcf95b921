"""The standard questionnaire: risks the province reports on in its four areas (Thai, as sent to agencies)."""

from __future__ import annotations

from risk.models import RiskArea

STANDARD_QUESTIONS: list[tuple[str, str]] = [
    (RiskArea.ACCESS, "ผู้ไม่มีสิทธิ์เข้าถึงข้อมูลหรือระบบคอมพิวเตอร์ของหน่วยงานได้ (รหัสผ่านอ่อน ใช้บัญชีร่วมกัน)"),
    (RiskArea.ACCESS, "บัญชีผู้ใช้ของผู้ที่ย้ายหรือพ้นจากตำแหน่งยังไม่ถูกระงับ"),
    (RiskArea.ACCESS, "เครื่องคอมพิวเตอร์ติดมัลแวร์หรือแรนซัมแวร์จากอีเมลหรืออุปกรณ์ภายนอก"),
    (RiskArea.ACCURACY, "ข้อมูลพื้นฐานที่หน่วยงานบันทึกไม่ถูกต้องหรือไม่ครบถ้วน"),
    (RiskArea.ACCURACY, "ข้อมูลไม่ได้ปรับปรุงให้เป็นปัจจุบันตามรอบที่กำหนด"),
    (RiskArea.ACCURACY, "ระบบงานทำงานผิดพลาดหลังการปรับปรุงแก้ไขโดยไม่มีการทดสอบ"),
    (RiskArea.EMERGENCY, "ไฟฟ้าดับหรืออุปกรณ์เครือข่ายเสียจนให้บริการไม่ได้"),
    (RiskArea.EMERGENCY, "อุทกภัยหรืออัคคีภัยทำให้เครื่องแม่ข่ายและข้อมูลเสียหาย"),
    (RiskArea.EMERGENCY, "ไม่มีข้อมูลสำรองที่กู้คืนได้จริงเมื่อเกิดเหตุ"),
    (RiskArea.MANAGEMENT, "ไม่มีผู้รับผิดชอบหรือบุคลากรด้านเทคโนโลยีสารสนเทศไม่เพียงพอ"),
    (RiskArea.MANAGEMENT, "ไม่มีการทบทวนสิทธิ์และบันทึกการใช้งานระบบเป็นประจำ"),
    (RiskArea.MANAGEMENT, "งบประมาณบำรุงรักษาระบบและอุปกรณ์ไม่เพียงพอ"),
]
